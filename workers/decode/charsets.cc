#include "workers/decode/charsets.h"

#include <iconv.h>

#include <vector>

namespace qscan::workers::decode {

void preload_charsets() {
  static constexpr const char* kCharsets[] = {
      "ISO-8859-1",   "ISO-8859-2",   "ISO-8859-3",   "ISO-8859-4",   "ISO-8859-5",
      "ISO-8859-6",   "ISO-8859-7",   "ISO-8859-8",   "ISO-8859-9",   "ISO-8859-10",
      "ISO-8859-13",  "ISO-8859-14",  "ISO-8859-15",  "ISO-8859-16",  "WINDOWS-1250",
      "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1255",
      "WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258", "KOI8-R",       "KOI8-U",
      "ISO-2022-JP",  "EUC-JP",       "SHIFT_JIS",    "CP932",        "EUC-KR",
      "ISO-2022-KR",  "CP949",        "BIG5",         "BIG5-HKSCS",   "GB2312",
      "GBK",          "GB18030",      "EUC-TW",       "UTF-7",        "UTF-16",
      "UTF-16LE",     "UTF-16BE",     "UTF-32",       "UCS-2",        "CP437",
      "CP850",        "CP852",        "CP866",        "TIS-620",      "CP874",
      "MACINTOSH",    "VISCII",       "ISO-2022-CN",  "ARMSCII-8",    "GEORGIAN-PS",
      "ASCII",        "UTF-8"};
  // Held open for the life of the process (never destroyed, so still reachable at
  // exit): glibc unloads a module when its last converter closes. One converter per
  // charset keeps its module; GMime only converts headers to UTF-8.
  static auto* held = new std::vector<iconv_t>;
  if (!held->empty()) return;
  for (const char* cs : kCharsets) {
    iconv_t a = iconv_open("UTF-8", cs);
    if (a != reinterpret_cast<iconv_t>(-1)) held->push_back(a);
  }
}

}  // namespace qscan::workers::decode
