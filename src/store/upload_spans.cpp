#include <algorithm>

#include "store/upload_store.h"

namespace sfapid {

std::vector<ByteSpan> MergeSpans(std::vector<ByteSpan> spans) {
  std::sort(spans.begin(), spans.end(),
            [](const ByteSpan& a, const ByteSpan& b) { return a.offset < b.offset; });
  std::vector<ByteSpan> merged;
  for (const ByteSpan& s : spans) {
    if (s.length <= 0) continue;
    if (!merged.empty() && s.offset <= merged.back().offset + merged.back().length) {
      ByteSpan& last = merged.back();
      last.length = std::max(last.offset + last.length, s.offset + s.length) - last.offset;
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

}  // namespace sfapid
