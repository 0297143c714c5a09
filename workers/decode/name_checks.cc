#include "workers/decode/name_checks.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "workers/decode/sniff.h"
#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

constexpr std::size_t kMaxFilenameChars = 256;

// Qmail-Scanner's double-extension lists (reference/qmail-scanner.md).
constexpr std::array<std::string_view, 64> kRisky = {
    "exe", "com", "pps", "wps", "wpm", "wpd", "vcf", "nws", "cmd", "bat", "pif", "scr", "sct",
    "dll", "ocx", "doc", "dot", "xls", "xlw", "xlt", "ppt", "pot", "rtf", "vb",  "vbs", "vbe",
    "hta", "pl",  "pm",  "shb", "shs", "hlp", "chm", "eml", "wsc", "wsf", "wsh", "ade", "adp",
    "js",  "jse", "mda", "mdb", "mde", "mdw", "msi", "msp", "reg", "asd", "asf", "asx", "cil"};
// Qmail-Scanner's ordinary list, plus the document and media types that today's lures
// put in the middle ("invoice.pdf.exe").
constexpr std::array<std::string_view, 32> kOrdinary = {
    "sav", "htm", "html", "pst", "ost",  "txt",  "gif",  "jpeg", "mpeg", "jpg", "png",
    "mny", "wav", "tif",  "pdf", "docx", "xlsx", "pptx", "odt",  "ods",  "zip", "rar",
    "mp3", "mp4", "avi",  "mov", "bmp",  "tiff", "csv",  "xml",  "jpe"};

// Extensions Windows runs directly; none belongs on audio, video or an image.
constexpr std::array<std::string_view, 24> kWindowsExec = {
    "exe", "com", "pif", "scr", "bat", "cmd", "vbs", "vbe", "js",  "jse", "wsf", "wsh",
    "hta", "cpl", "msi", "msp", "lnk", "reg", "dll", "ocx", "sct", "shs", "shb", "inf"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view ext) {
  return !ext.empty() && std::find(list.begin(), list.end(), ext) != list.end();
}

// Windows ignores trailing dots and spaces: "tool.exe." runs as tool.exe.
std::string windows_name(std::string_view name) {
  std::string n = lower(name);
  while (!n.empty() && (n.back() == '.' || n.back() == ' ')) n.pop_back();
  std::size_t slash = n.find_last_of("/\\");
  if (slash != std::string::npos) n.erase(0, slash + 1);
  return n;
}

std::string_view last_ext(std::string_view n) {
  std::size_t dot = n.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : n.substr(dot + 1);
}

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool cannot_be_executable(std::string_view type) {
  return type.starts_with("audio/") || type.starts_with("video/") || type.starts_with("image/");
}

}  // namespace

bool is_double_barrelled(std::string_view filename) {
  std::string n = windows_name(filename);
  std::string_view risky = last_ext(n);
  if (!in(kRisky, risky)) return false;
  std::string_view rest = std::string_view(n).substr(0, n.size() - risky.size() - 1);
  std::string_view ordinary = last_ext(rest);
  if (ordinary.empty() || rest.size() == ordinary.size() + 1) return false;  // ".txt.exe"
  return in(kOrdinary, ordinary) || in(kRisky, ordinary);
}

bool has_clsid_extension(std::string_view filename) {
  std::string n = windows_name(filename);
  if (n.empty() || n.back() != '}') return false;
  std::size_t open = n.rfind(".{");
  if (open == std::string::npos) return false;
  std::string_view id = std::string_view(n).substr(open + 2, n.size() - open - 3);
  // 8-4-4-4-12 hex digits
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

void run_name_checks(Context& ctx, const Blob& b, std::string_view detected) {
  for (const std::string& name : b.filenames) {
    if (utf8_chars(name) > kMaxFilenameChars)
      ctx.finding("long_filename",
                  "file name of " + std::to_string(utf8_chars(name)) + " characters", b.path);
    if (is_double_barrelled(name))
      ctx.finding("double_extension", "double-barrelled file name " + name, b.path);
    if (has_clsid_extension(name))
      ctx.finding("clsid_extension", "CLSID extension in " + name, b.path);
    if (b.from_mime && cannot_be_executable(b.content_type) &&
        in(kWindowsExec, last_ext(windows_name(name))))
      ctx.finding("exe_ext_in_nonexec_type", b.content_type + " with executable extension: " + name,
                  b.path);
  }
  if (b.from_mime && b.filenames.size() > 1) {
    for (const std::string& other : b.filenames) {
      if (!iequals(other, b.filenames.front())) {
        ctx.finding("differing_filenames",
                    "declared names differ: " + b.filenames.front() + " vs " + other, b.path);
        break;
      }
    }
  }
  if (b.from_mime && is_windows_executable(detected) && !b.content_type.starts_with("application/"))
    ctx.finding("exe_not_application", "Windows executable declared as " + b.content_type, b.path);
}

}  // namespace qscan::workers::decode
