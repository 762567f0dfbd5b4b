// A small reader for the NumPy .npy files of tests/fixtures/mel and of
// `redub-cli features` (version 1/2/3 headers, little-endian int16/float32/float64,
// C order). Throws std::runtime_error on anything else.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace redub::test {

struct Npy {
    std::string descr;           // "<f4", "<i2", "<f8"
    std::vector<int64_t> shape;  // C order
    std::vector<double> values;  // converted to double
};

inline Npy readNpy(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open");
    char magic[8];
    in.read(magic, 8);
    if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(file.string() + ": not an .npy file");
    uint32_t header_len = 0;
    if (magic[6] == 1) {
        unsigned char b[2];
        in.read(reinterpret_cast<char*>(b), 2);
        header_len = b[0] | (b[1] << 8);
    } else {
        unsigned char b[4];
        in.read(reinterpret_cast<char*>(b), 4);
        header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
    }
    std::string header(header_len, '\0');
    in.read(header.data(), header_len);
    std::smatch m;
    Npy npy;
    if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']+)'"))) throw std::runtime_error("npy: no descr");
    npy.descr = m[1];
    if (std::regex_search(header, m, std::regex("'fortran_order':\\s*True")))
        throw std::runtime_error("npy: fortran order");
    if (!std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)")))
        throw std::runtime_error("npy: no shape");
    const std::string dims = m[1];
    int64_t count = 1;
    const std::regex number("\\d+");
    for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
        npy.shape.push_back(std::stoll(it->str()));
        count *= npy.shape.back();
    }
    npy.values.resize(size_t(count));
    auto readAll = [&](auto sample) {
        std::vector<decltype(sample)> raw(static_cast<size_t>(count));
        in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(raw.size() * sizeof(sample)));
        if (!in) throw std::runtime_error(file.string() + ": truncated data");
        for (size_t i = 0; i < raw.size(); ++i) npy.values[i] = double(raw[i]);
    };
    if (npy.descr == "<f4")
        readAll(float{});
    else if (npy.descr == "<f8")
        readAll(double{});
    else if (npy.descr == "<i2")
        readAll(int16_t{});
    else
        throw std::runtime_error(file.string() + ": unsupported dtype " + npy.descr);
    return npy;
}

}  // namespace redub::test
