// Minimal argument parsing for redub-cli sub-commands.
//   --name value | --name=value | --flag | positional...
// Options may repeat (--range 1-2 --range 5-6). Unknown options are reported.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace redub::cli {

class Args {
public:
    // flags: option names that take no value (e.g. "json", "help").
    Args(const std::vector<std::string>& argv, const std::set<std::string>& flags);

    const std::vector<std::string>& positional() const { return positional_; }
    bool has(const std::string& name) const { return options_.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::string get(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> all(const std::string& name) const;
    // Throws redub::Error{BadInput} naming the option when it is not a number.
    double getDouble(const std::string& name, double fallback) const;
    long long getInt(const std::string& name, long long fallback) const;
    // Throws when a required option is missing.
    std::string require(const std::string& name) const;
    // Throws when an option not in `known` (or the flags) was given.
    void allowOnly(const std::set<std::string>& known) const;

private:
    std::vector<std::string> positional_;
    std::multimap<std::string, std::string> options_;
    std::set<std::string> flags_;
};

}  // namespace redub::cli
