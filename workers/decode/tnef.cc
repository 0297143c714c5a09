// MS-TNEF (winmail.dat) via libytnef, parsed from memory. Attachments become members
// named by their long file name; the compressed RTF body becomes "body.rtf".
#include <glib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "workers/decode/blob.h"
#include "workers/decode/containers.h"

extern "C" {
#include <tnef-errors.h>
#include <ytnef.h>
}

namespace qscan::workers::decode {
namespace {

// libytnef prints parse errors to stdout; in the sandbox that would be a write to a
// closed or forbidden fd, so stdout points at a sink while it runs.
class MuteStdout {
 public:
  MuteStdout() : saved_(stdout) {
    cookie_io_functions_t io{};
    io.write = [](void*, const char*, size_t n) -> ssize_t { return static_cast<ssize_t>(n); };
    sink_ = fopencookie(nullptr, "w", io);
    if (sink_ != nullptr) stdout = sink_;
  }
  ~MuteStdout() {
    stdout = saved_;
    if (sink_ != nullptr) fclose(sink_);
  }
  MuteStdout(const MuteStdout&) = delete;
  MuteStdout& operator=(const MuteStdout&) = delete;

 private:
  FILE* saved_;
  FILE* sink_ = nullptr;
};

bool defined(variableLength* v) {
  return v != nullptr && v != MAPI_UNDEFINED && v->size > 0 && v->data != nullptr;
}

// Up to the first NUL: libytnef's sizes can include the terminator and what follows.
std::string as_string(const variableLength& v) {
  // libytnef can report a size with no data (found by fuzzing: a sized, null Title).
  if (v.data == nullptr || v.size <= 0) return {};
  std::string s(reinterpret_cast<const char*>(v.data), static_cast<std::size_t>(v.size));
  std::size_t nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  return s;
}

// PT_UNICODE values: libytnef 2.x hands them over already converted to UTF-8; older
// versions left UTF-16LE. A NUL in the second byte tells them apart.
std::string unicode_value(const variableLength& v) {
  if (v.size >= 2 && v.data[1] == 0) {
    gchar* u = g_utf16_to_utf8(reinterpret_cast<const gunichar2*>(v.data), v.size / 2, nullptr,
                               nullptr, nullptr);
    std::string s = u != nullptr ? u : "";
    g_free(u);
    return s;
  }
  return as_string(v);
}

std::string attachment_name(Attachment* a) {
  variableLength* v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_UNICODE, PR_ATTACH_LONG_FILENAME));
  if (defined(v)) {
    std::string s = unicode_value(*v);
    if (!s.empty()) return s;
  }
  v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8, PR_ATTACH_LONG_FILENAME));
  if (defined(v)) return as_string(*v);
  if (a->Title.size > 0 && a->Title.data != nullptr) return as_string(a->Title);
  return {};
}

// Attachment bytes: attAttachData, or an embedded object (16-byte GUID first).
std::span<const std::byte> attachment_data(Attachment* a) {
  if (a->FileData.size > 0 && a->FileData.data != nullptr)
    return {reinterpret_cast<const std::byte*>(a->FileData.data),
            static_cast<std::size_t>(a->FileData.size)};
  variableLength* v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_BINARY, PR_ATTACH_DATA_OBJ));
  if (defined(v))
    return {reinterpret_cast<const std::byte*>(v->data), static_cast<std::size_t>(v->size)};
  v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_OBJECT, PR_ATTACH_DATA_OBJ));
  if (defined(v) && v->size > 16)
    return {reinterpret_cast<const std::byte*>(v->data) + 16,
            static_cast<std::size_t>(v->size - 16)};
  return {};
}

void emit(Context& ctx, const Blob& parent, std::string name, std::span<const std::byte> data,
          int index) {
  Blob b;
  b.path = child_path(parent.path, name.empty() ? "attachment" + std::to_string(index) : name);
  if (!name.empty()) b.filenames.push_back(std::move(name));
  b.content_type = "application/octet-stream";
  b.decoder = "tnef";
  b.depth = parent.depth + 1;
  b.size = data.size();
  std::size_t keep = std::min<std::uint64_t>(data.size(), ctx.leaf_budget());
  if (keep < data.size()) {
    b.flags |= 2;
    ctx.limit("max_file_bytes", "TNEF attachment over the limit", b.path);
  }
  b.data.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep));
  process_blob(ctx, std::move(b));
}

// libytnef refuses a stream whose attribute checksums are wrong; other readers
// (ClamAV, tnef(1)) ignore them, and so must we or a bad checksum hides the payload.
// Recomputes them in a copy: the framing is level(1) id(4) length(4) data checksum(2).
std::vector<std::byte> with_fixed_checksums(std::span<const std::byte> in) {
  std::vector<std::byte> out(in.begin(), in.end());
  std::size_t pos = 6;  // signature + key
  while (pos + 9 <= out.size()) {
    std::uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= static_cast<std::uint32_t>(out[pos + 5 + i]) << (8 * i);
    std::size_t data = pos + 9;
    if (len > out.size() - data || out.size() - data - len < 2) break;
    std::uint16_t sum = 0;
    for (std::size_t i = 0; i < len; ++i)
      sum = static_cast<std::uint16_t>(sum + static_cast<std::uint8_t>(out[data + i]));
    out[data + len] = static_cast<std::byte>(sum & 0xff);
    out[data + len + 1] = static_cast<std::byte>(sum >> 8);
    pos = data + len + 2;
  }
  return out;
}

int parse(std::span<const std::byte> data, TNEFStruct& t) {
  TNEFInitialize(&t);
  t.Debug = 0;  // TNEFInitialize leaves it unset
  MuteStdout mute;
  // TNEFParseMemory only reads through the pointer despite its non-const signature.
  return TNEFParseMemory(const_cast<BYTE*>(reinterpret_cast<const BYTE*>(data.data())),
                         static_cast<long>(data.size()), &t);
}

}  // namespace

bool expand_tnef(Context& ctx, const Blob& tnef) {
  if (!ctx.depth_ok(tnef.depth + 1, tnef.path)) return true;
  TNEFStruct t;
  std::vector<std::byte> repaired;
  int rc = parse(tnef.data, t);
  if (rc == YTNEF_BAD_CHECKSUM) {
    TNEFFree(&t);
    repaired = with_fixed_checksums(tnef.data);
    rc = parse(repaired, t);
  }
  bool any = false;
  int index = 0;
  for (Attachment* a = t.starting_attach.next; a != nullptr && !ctx.arena_dead(); a = a->next) {
    std::span<const std::byte> data = attachment_data(a);
    std::string name = attachment_name(a);
    if (data.empty() && name.empty()) continue;
    emit(ctx, tnef, name, data, ++index);
    any = true;
  }
  // The message bodies: attBody, then the MAPI plain-text and HTML bodies.
  variableLength* bodies[] = {
      &t.body, MAPIFindProperty(&t.MapiProperties, PROP_TAG(PT_STRING8, PR_BODY)),
      MAPIFindProperty(&t.MapiProperties, PROP_TAG(PT_UNICODE, PR_BODY)),
      MAPIFindProperty(&t.MapiProperties, PROP_TAG(PT_BINARY, PR_BODY_HTML))};
  const char* body_names[] = {"body.txt", "body.txt", "body.txt", "body.html"};
  bool have_text = false;
  for (int i = 0; i < 4 && !ctx.arena_dead(); ++i) {
    if (!defined(bodies[i]) || (i < 3 && have_text)) continue;
    have_text |= i < 3;
    emit(ctx, tnef, body_names[i],
         {reinterpret_cast<const std::byte*>(bodies[i]->data),
          static_cast<std::size_t>(bodies[i]->size)},
         0);
    any = true;
  }
  variableLength* rtf = MAPIFindProperty(&t.MapiProperties, PROP_TAG(PT_BINARY, PR_RTF_COMPRESSED));
  if (defined(rtf) && !ctx.arena_dead()) {
    int size = 0;
    BYTE* body = DecompressRTF(rtf, &size);
    if (body != nullptr) {
      emit(ctx, tnef, "body.rtf",
           {reinterpret_cast<const std::byte*>(body), static_cast<std::size_t>(size)}, 0);
      free(body);
      any = true;
    }
  }
  TNEFFree(&t);
  return rc == 0 || any;
}

}  // namespace qscan::workers::decode
