// Protobuf wire primitives shared by the decoder and encoder (internal to api/protobuf*.cpp).
// Reader never reads past its input: every read checks the remaining length first.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cluster::api::wire {

inline constexpr uint64_t kMaxFieldNumber = (1u << 29) - 1;

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  Status ReadVarint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return BadRequest("protobuf: truncated varint");
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      if (shift == 63 && b > 1) return BadRequest("protobuf: varint overflows 64 bits");
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return Status::Ok();
      }
    }
    return BadRequest("protobuf: varint longer than 10 bytes");
  }

  Status ReadFixed(int bytes, uint64_t* v) {
    if (data_.size() - pos_ < static_cast<size_t>(bytes)) {
      return BadRequest("protobuf: truncated fixed-size value");
    }
    uint64_t result = 0;
    for (int i = bytes - 1; i >= 0; --i) {
      result = (result << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    }
    pos_ += bytes;
    *v = result;
    return Status::Ok();
  }

  Status ReadLengthDelimited(std::string_view* out) {
    uint64_t len = 0;
    RETURN_IF_ERROR(ReadVarint(&len));
    if (len > data_.size() - pos_) {
      return BadRequest("protobuf: length " + std::to_string(len) + " runs past the end (" +
                        std::to_string(data_.size() - pos_) + " bytes left)");
    }
    *out = data_.substr(pos_, len);
    pos_ += len;
    return Status::Ok();
  }

  // Reads a tag; rejects field number 0 and out-of-range numbers.
  Status ReadTag(int* number, int* wire_type) {
    uint64_t tag = 0;
    RETURN_IF_ERROR(ReadVarint(&tag));
    uint64_t n = tag >> 3;
    if (n == 0 || n > kMaxFieldNumber) {
      return BadRequest("protobuf: invalid field number " + std::to_string(n));
    }
    *number = static_cast<int>(n);
    *wire_type = static_cast<int>(tag & 7);
    return Status::Ok();
  }

  // Skips one value of an unknown field. Groups (3, 4) are not used by Kubernetes and rejected.
  Status Skip(int wire_type) {
    uint64_t ignored = 0;
    std::string_view bytes;
    switch (wire_type) {
      case 0:
        return ReadVarint(&ignored);
      case 1:
        return ReadFixed(8, &ignored);
      case 2:
        return ReadLengthDelimited(&bytes);
      case 5:
        return ReadFixed(4, &ignored);
      default:
        return BadRequest("protobuf: unsupported wire type " + std::to_string(wire_type));
    }
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class Writer {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Tag(int number, int wire_type) {
    Varint((static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(wire_type));
  }
  void VarintField(int number, uint64_t v) {
    Tag(number, 0);
    Varint(v);
  }
  void Fixed64Field(int number, uint64_t v) {
    Tag(number, 1);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void BytesField(int number, std::string_view bytes) {
    Tag(number, 2);
    Varint(bytes.size());
    out_.append(bytes);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

}  // namespace cluster::api::wire
