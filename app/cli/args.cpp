#include "cli/args.hpp"

#include "redub/error.hpp"

#include <charconv>

namespace redub::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& flags) : flags_(flags) {
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() > 2 && a.rfind("--", 0) == 0) {
            std::string name = a.substr(2), value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else if (!flags.count(name)) {
                if (i + 1 >= argv.size()) fail(ErrorKind::BadInput, "option --" + name + " needs a value");
                value = argv[++i];
            }
            options_.emplace(name, value);
        } else if (a == "-o") {
            if (i + 1 >= argv.size()) fail(ErrorKind::BadInput, "option -o needs a value");
            options_.emplace("output", argv[++i]);
        } else {
            positional_.push_back(a);
        }
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = options_.find(name);
    if (it == options_.end()) return std::nullopt;
    return it->second;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

std::vector<std::string> Args::all(const std::string& name) const {
    std::vector<std::string> out;
    auto [b, e] = options_.equal_range(name);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
}

double Args::getDouble(const std::string& name, double fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    try {
        size_t used = 0;
        double d = std::stod(*v, &used);
        if (used == v->size()) return d;
    } catch (...) {
    }
    fail(ErrorKind::BadInput, "option --" + name + " expects a number, got '" + *v + "'");
}

long long Args::getInt(const std::string& name, long long fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    long long out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || p != v->data() + v->size())
        fail(ErrorKind::BadInput, "option --" + name + " expects an integer, got '" + *v + "'");
    return out;
}

std::string Args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) fail(ErrorKind::BadInput, name == "output" ? "missing -o OUTPUT" : "missing required option --" + name);
    return *v;
}

void Args::allowOnly(const std::set<std::string>& known) const {
    for (auto& [k, v] : options_)
        if (!known.count(k) && !flags_.count(k)) fail(ErrorKind::BadInput, "unknown option --" + k);
}

}  // namespace redub::cli
