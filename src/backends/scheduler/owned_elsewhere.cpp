#include "backends/scheduler/owned_elsewhere.h"

namespace sfapid {

namespace {

std::string RefusalText(const std::string& system, const std::string& owner,
                        const std::string& this_node) {
  std::string text = system;
  text += "'s jobs run on the local scheduler of sfapid node ";
  text += owner;
  text += ", not on this node (";
  text += this_node;
  text += "): send this request to ";
  text += owner;
  text += " (behind a load balancer, route /compute/jobs/";
  text += system;
  text += " and its reservations to it)";
  return text;
}

}  // namespace

OwnedElsewhereScheduler::OwnedElsewhereScheduler(std::string system, std::string owner,
                                                 std::string this_node)
    : refusal_(RefusalText(system, owner, this_node)) {}

}  // namespace sfapid
