#include "workers/decode/gmime_util.h"

#include "workers/decode/text_util.h"

namespace qscan::workers::decode {
namespace {

void collect(GMimeParamList* list, const char* name, std::vector<std::string>& out) {
  if (list == nullptr) return;
  int n = g_mime_param_list_length(list);
  for (int i = 0; i < n; ++i) {
    GMimeParam* p = g_mime_param_list_get_parameter_at(list, i);
    const char* pn = g_mime_param_get_name(p);
    const char* pv = g_mime_param_get_value(p);
    if (pn != nullptr && pv != nullptr && iequals(pn, name)) out.emplace_back(pv);
  }
}

}  // namespace

std::string mime_type_of(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  if (ct == nullptr) return "text/plain";
  char* s = g_mime_content_type_get_mime_type(ct);
  std::string out = s != nullptr ? lower(s) : "text/plain";
  g_free(s);
  return out;
}

std::string header_of(GMimeObject* obj, const char* name) {
  const char* v = g_mime_object_get_header(obj, name);
  return v != nullptr ? v : "";
}

std::vector<std::string> declared_filenames(GMimeObject* obj) {
  std::vector<std::string> out;
  GMimeContentDisposition* d = g_mime_object_get_content_disposition(obj);
  if (d != nullptr) collect(g_mime_content_disposition_get_parameters(d), "filename", out);
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  if (ct != nullptr) collect(g_mime_content_type_get_parameters(ct), "name", out);
  return out;
}

}  // namespace qscan::workers::decode
