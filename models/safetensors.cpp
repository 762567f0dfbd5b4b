#include "models/safetensors.hpp"

#include "redub/error.hpp"
#include "redub/file.hpp"

#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace redub::models {

namespace {

float halfToFloat(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ffu, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            exp = 127 - 15 + 1;
            while (!(man & 0x400u)) {
                man <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((man & 0x3ffu) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    return std::bit_cast<float>(bits);
}

template <class T>
T loadLe(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;  // x86/ARM little-endian hosts only (checked below)
}
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

size_t dtypeSize(const std::string& d) {
    if (d == "F32" || d == "I32") return 4;
    if (d == "F16" || d == "BF16" || d == "I16") return 2;
    if (d == "F64" || d == "I64") return 8;
    if (d == "I8" || d == "U8" || d == "BOOL") return 1;
    return 0;
}

float convert(const std::string& d, const char* p) {
    if (d == "F32") return loadLe<float>(p);
    if (d == "F16") return halfToFloat(loadLe<uint16_t>(p));
    if (d == "BF16") return std::bit_cast<float>(static_cast<uint32_t>(loadLe<uint16_t>(p)) << 16);
    if (d == "F64") return static_cast<float>(loadLe<double>(p));
    if (d == "I64") return static_cast<float>(loadLe<int64_t>(p));
    if (d == "I32") return static_cast<float>(loadLe<int32_t>(p));
    if (d == "I16") return static_cast<float>(loadLe<int16_t>(p));
    if (d == "I8") return static_cast<float>(loadLe<int8_t>(p));
    return static_cast<float>(static_cast<unsigned char>(*p));  // U8, BOOL
}

}  // namespace

SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& origin) {
    auto bad = [&](const std::string& what) -> void {
        fail(ErrorKind::BadInput, origin + ": not a valid safetensors file: " + what);
    };
    if (bytes.size() < 8) bad("shorter than its 8-byte header length (truncated?)");
    const uint64_t n = loadLe<uint64_t>(bytes.data());
    if (n > kMaxSafetensorsHeader)
        bad("header claims " + std::to_string(n) + " bytes, more than the " +
            std::to_string(kMaxSafetensorsHeader) + "-byte limit");
    if (n > bytes.size() - 8)
        bad("header claims " + std::to_string(n) + " bytes but the file has only " + std::to_string(bytes.size() - 8) +
            " after the length (truncated?)");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number that overflows (found by fuzzing)
        bad(std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) bad("header is not a JSON object");
    const uint64_t data_size = bytes.size() - 8 - n;
    const char* data = bytes.data() + 8 + n;

    SafetensorsFile out;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const auto& e = it.value();
        if (name == "__metadata__") {
            if (!e.is_object()) bad("__metadata__ is not an object");
            for (auto m = e.begin(); m != e.end(); ++m) {
                if (!m.value().is_string()) bad("metadata value '" + m.key() + "' is not a string");
                out.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + name + "': ";
        if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") || !e.contains("data_offsets"))
            bad(where + "entry needs dtype, shape and data_offsets");
        if (!e["dtype"].is_string()) bad(where + "dtype is not a string");
        const std::string dtype = e["dtype"].get<std::string>();
        const size_t esize = dtypeSize(dtype);
        if (esize == 0) bad(where + "unsupported dtype '" + dtype + "'");
        if (!e["shape"].is_array() || e["shape"].size() > 8) bad(where + "shape must be an array of at most 8 sizes");
        NamedTensor t;
        uint64_t count = 1;
        for (const auto& d : e["shape"]) {
            if (!d.is_number_unsigned()) bad(where + "shape has a negative or non-integer size");
            const uint64_t v = d.get<uint64_t>();
            if (v != 0 && count > std::numeric_limits<uint64_t>::max() / v / esize) bad(where + "shape overflows");
            count *= v;
            t.shape.push_back(static_cast<int64_t>(v));
        }
        const auto& off = e["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            bad(where + "data_offsets must be two non-negative integers");
        const uint64_t b = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
        if (b > end || end > data_size)
            bad(where + "data_offsets [" + std::to_string(b) + ", " + std::to_string(end) +
                "] lie outside the " + std::to_string(data_size) + "-byte data section");
        if (end - b != count * esize)
            bad(where + "holds " + std::to_string(end - b) + " bytes but " + dtype + " of its shape needs " +
                std::to_string(count * esize));
        t.data.resize(count);
        const char* p = data + b;
        if (dtype == "F32") {
            if (count > 0) std::memcpy(t.data.data(), p, count * 4);  // an empty tensor has no buffer
        } else {
            for (uint64_t i = 0; i < count; ++i) t.data[i] = convert(dtype, p + i * esize);
        }
        out.tensors.emplace(name, std::move(t));
    }
    return out;
}

SafetensorsFile readSafetensors(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) fail(ErrorKind::BadInput, file, "cannot read this safetensors file (" + ec.message() + ")");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorKind::BadInput, file, "cannot open the file");
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
        fail(ErrorKind::Io, file, "read failed");
    return parseSafetensors(bytes, file.string());
}

void writeSafetensors(const std::filesystem::path& file, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        uint64_t count = 1;
        for (int64_t d : t.shape) {
            if (d < 0) fail(ErrorKind::Internal, "tensor '" + name + "' has a negative size");
            count *= static_cast<uint64_t>(d);
        }
        if (count != t.data.size())
            fail(ErrorKind::Internal, "tensor '" + name + "': shape does not match its data size");
        header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + count * 4}}};
        offset += count * 4;
    }
    std::string h = header.dump();
    while ((8 + h.size()) % 8 != 0) h.push_back(' ');  // align the data section
    writeFileAtomically(file, [&](std::ostream& out) {
        const uint64_t n = h.size();
        out.write(reinterpret_cast<const char*>(&n), 8);
        out.write(h.data(), static_cast<std::streamsize>(h.size()));
        for (const auto& [name, t] : tensors)
            out.write(reinterpret_cast<const char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * 4));
    });
}

}  // namespace redub::models
