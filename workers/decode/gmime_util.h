// RAII and small accessors over GMime/GLib objects.
#pragma once

#include <glib-object.h>
#include <gmime/gmime.h>

#include <string>
#include <vector>

namespace qscan::workers::decode {

template <typename T>
class GRef {
 public:
  explicit GRef(T* p = nullptr) : p_(p) {}
  ~GRef() {
    if (p_ != nullptr) g_object_unref(p_);
  }
  GRef(const GRef&) = delete;
  GRef& operator=(const GRef&) = delete;
  T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_;
};

// "type/subtype", lower case; "text/plain" when GMime has none.
std::string mime_type_of(GMimeObject* obj);
// A header's value as GMime decoded it, or "" when absent.
std::string header_of(GMimeObject* obj, const char* name);
// Every declared file name, in order: Content-Disposition filename (each occurrence),
// then Content-Type name. RFC 2231 continuations and RFC 2047 words are decoded.
std::vector<std::string> declared_filenames(GMimeObject* obj);

}  // namespace qscan::workers::decode
