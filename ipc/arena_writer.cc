#include "ipc/arena_writer.h"

#include <cstring>

namespace qscan::ipc {

ArenaWriter::ArenaWriter(std::span<std::byte> region) : region_(region) {
  if (region_.size() < kArenaRecordsOffset) {
    full_ = true;
    region_ = {};
    return;
  }
  ArenaHeader h{kArenaMagic, kArenaVersion, region_.size(), kArenaRecordsOffset, 0, 0};
  std::memcpy(region_.data(), &h, sizeof h);
}

ArenaHeader* ArenaWriter::header() const { return reinterpret_cast<ArenaHeader*>(region_.data()); }

std::size_t ArenaWriter::free_bytes() const {
  return region_.size() > cursor_ ? region_.size() - cursor_ : 0;
}

bool ArenaWriter::begin_record(RecordKind kind) {
  if (full_) return false;
  if (open_) abort_record();
  if (free_bytes() < sizeof(RecordHeader)) {
    full_ = true;
    return false;
  }
  RecordHeader rh{static_cast<std::uint32_t>(kind), 0, 0};
  std::memcpy(region_.data() + committed_, &rh, sizeof rh);
  cursor_ = committed_ + sizeof rh;
  open_fields_ = 0;
  open_ = true;
  return true;
}

std::span<std::byte> ArenaWriter::field_space() {
  if (!open_ || full_) return {};
  std::uint64_t payload = cursor_ + sizeof(FieldHeader);
  if (payload >= region_.size()) return {};
  return region_.subspan(payload);
}

bool ArenaWriter::commit_field(FieldTag tag, std::size_t n) {
  if (!open_ || full_) return false;
  std::uint64_t end = align8(cursor_ + sizeof(FieldHeader) + n);
  if (end > region_.size()) {
    abort_record();
    full_ = true;
    return false;
  }
  FieldHeader fh{static_cast<std::uint32_t>(tag), 0, n};
  std::memcpy(region_.data() + cursor_, &fh, sizeof fh);
  std::uint64_t pad_from = cursor_ + sizeof fh + n;
  std::memset(region_.data() + pad_from, 0, end - pad_from);
  cursor_ = end;
  ++open_fields_;
  return true;
}

bool ArenaWriter::add_bytes(FieldTag tag, std::span<const std::byte> bytes) {
  std::span<std::byte> space = field_space();
  if (space.size() < bytes.size()) {
    abort_record();
    full_ = true;
    return false;
  }
  if (!bytes.empty()) std::memcpy(space.data(), bytes.data(), bytes.size());
  return commit_field(tag, bytes.size());
}

bool ArenaWriter::add_string(FieldTag tag, std::string_view s) {
  return add_bytes(tag, std::as_bytes(std::span(s.data(), s.size())));
}

bool ArenaWriter::add_u64(FieldTag tag, std::uint64_t v) {
  return add_bytes(tag, std::as_bytes(std::span(&v, 1)));
}

bool ArenaWriter::end_record() {
  if (!open_ || full_) return false;
  RecordHeader rh{};
  std::memcpy(&rh, region_.data() + committed_, sizeof rh);
  rh.field_count = open_fields_;
  rh.length = cursor_ - committed_ - sizeof rh;
  std::memcpy(region_.data() + committed_, &rh, sizeof rh);
  committed_ = cursor_;
  open_ = false;
  ArenaHeader* h = header();
  h->used = committed_;
  h->record_count += 1;
  return true;
}

void ArenaWriter::abort_record() {
  cursor_ = committed_;
  open_ = false;
}

void ArenaWriter::finish() {
  if (open_) abort_record();
  if (!region_.empty()) header()->complete = 1;
}

}  // namespace qscan::ipc
