#include "store/job_events.h"

#include <boost/json.hpp>

namespace sfapid {

EventRecord JobEvent(const std::string& system, const std::string& jobid, const std::string& user,
                     const std::string& state, const std::string& exit_code) {
  boost::json::object data{{"machine", system}, {"jobid", jobid}, {"state", state}};
  if (!exit_code.empty()) data["exit_code"] = exit_code;
  return {0,
          0,
          user,
          "job",
          system + "/" + jobid.substr(0, jobid.find('_')),
          boost::json::serialize(data)};
}

}  // namespace sfapid
