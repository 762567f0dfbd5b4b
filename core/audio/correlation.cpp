#include "core/audio/correlation.hpp"

#include <algorithm>
#include <cmath>

namespace redub::core {

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const size_t n = std::min(a.size(), b.size());
    if (n < 3) return 0;
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
    ma /= double(n), mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa <= 1e-12 || sbb <= 1e-12) return 0;
    return sab / std::sqrt(saa * sbb);
}

double pearsonHighPass(const std::vector<double>& a, const std::vector<double>& b, int window) {
    const size_t n = std::min(a.size(), b.size());
    const int h = std::max(0, window / 2);
    auto ok = [&](size_t i) { return a[i] >= 0 && b[i] >= 0; };
    std::vector<double> fa, fb;
    for (size_t i = 0; i < n; ++i) {
        if (!ok(i)) continue;
        double sa = 0, sb = 0;
        int k = 0;
        const size_t lo = i >= size_t(h) ? i - size_t(h) : 0, hi = std::min(n - 1, i + size_t(h));
        for (size_t j = lo; j <= hi; ++j)
            if (ok(j)) sa += a[j], sb += b[j], ++k;
        fa.push_back(a[i] - sa / k), fb.push_back(b[i] - sb / k);
    }
    return pearson(fa, fb);
}

}  // namespace redub::core
