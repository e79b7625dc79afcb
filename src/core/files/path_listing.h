// ls for the IRI's filesystem operations, made with find: one program lists a folder, a folder's
// tree (recursive) or one path, and its -printf says each entry's fields NUL-separated, so that no
// file name (which may hold spaces, newlines or " -> ") can be misread. The entries are what
// `ls -l` shows (DirectoryEntry, as the worker's ls makes them for the SFAPI).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/directory_entry.h"
#include "util/status.h"

namespace sfapid {

struct ListingOptions {
  bool show_hidden = false;  // names starting with '.'; without it, hidden folders are not entered
  bool recursive = false;    // the whole tree; entries named by their path below the folder
  bool dereference = false;  // symlinks followed (find -L): an entry describes what it points to
  bool numeric_ids = false;  // owner and group as numbers
};

// find's command line listing `path`: a folder's entries (".", ".." never), or a file, symlink
// or other non-folder as itself.
std::vector<std::string> ListingArgv(const std::string& path, const ListingOptions& options);

// find's command line describing `path` itself, folder or not (the result of mkdir, mv, ...).
std::vector<std::string> DescribeArgv(const std::string& path);

enum class ListingUse {
  kContents,  // ListingArgv: a folder's own entry is left out, the rest sorted by name
  kItself,    // DescribeArgv: the one entry, named `path`
};

// The entries in find's output. The listed path itself is named `path` (as ls names a file it was
// given); a symlink is "name -> target". InvalidArgument when the output is not find's.
Result<std::vector<DirectoryEntry>> ParseListing(std::string_view output, const std::string& path,
                                                 ListingUse use);

}  // namespace sfapid
