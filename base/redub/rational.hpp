// Exact rational numbers for frame rates and time bases (30000/1001, 25/1).
// Frame <-> time <-> sample conversions stay in integers; see core/audio/align.hpp.
#pragma once

#include <cstdint>
#include <numeric>
#include <string>

namespace redub {

struct Rational {
    int64_t num = 0;
    int64_t den = 1;

    constexpr Rational() = default;
    constexpr Rational(int64_t n, int64_t d = 1) : num(n), den(d) { normalise(); }

    constexpr void normalise() {
        if (den < 0) { num = -num; den = -den; }
        if (den == 0) return;  // invalid; valid() reports it
        const int64_t g = std::gcd(num < 0 ? -num : num, den);
        if (g > 1) { num /= g; den /= g; }
    }
    constexpr bool valid() const { return den > 0; }
    constexpr double toDouble() const { return den ? double(num) / double(den) : 0.0; }
    constexpr Rational inverse() const { return Rational(den, num); }

    friend constexpr bool operator==(const Rational& a, const Rational& b) {
        return a.num == b.num && a.den == b.den;
    }
    std::string toString() const { return std::to_string(num) + "/" + std::to_string(den); }
};

// floor(a * b / c) for non-negative b, c > 0, without intermediate overflow for
// the magnitudes Redub uses (128-bit intermediate).
constexpr int64_t mulDivFloor(int64_t a, int64_t b, int64_t c) {
    const __int128 p = static_cast<__int128>(a) * b;
    __int128 q = p / c;
    if ((p % c != 0) && ((p < 0) != (c < 0))) --q;
    return static_cast<int64_t>(q);
}

}  // namespace redub
