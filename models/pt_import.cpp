#include "models/pt_import.hpp"

#include "models/safetensors.hpp"
#include "redub/error.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <variant>

namespace redub::models {

namespace {

// ---- zip (stored entries only, as torch.save writes them) ----------------------

struct ZipEntry {
    uint64_t offset = 0;  // of the data
    uint64_t size = 0;
};

class Zip {
public:
    Zip(const std::string& bytes, std::string origin) : b_(bytes), origin_(std::move(origin)) { readDirectory(); }
    const std::map<std::string, ZipEntry>& entries() const { return entries_; }
    std::string_view data(const ZipEntry& e) const { return std::string_view(b_).substr(e.offset, e.size); }
    [[noreturn]] void bad(const std::string& what) const {
        fail(ErrorKind::BadInput, origin_ + ": not a readable PyTorch checkpoint: " + what);
    }

private:
    template <class T>
    T at(uint64_t pos) const {
        if (pos > b_.size() || sizeof(T) > b_.size() - pos) bad("zip structure points past the end (truncated?)");
        T v;
        std::memcpy(&v, b_.data() + pos, sizeof(T));
        return v;
    }
    void readDirectory() {
        if (b_.size() < 22) bad("too short for a zip archive (truncated? legacy non-zip torch.save files are not supported)");
        int64_t eocd = -1;
        const uint64_t lo = b_.size() > 22 + 65535 ? b_.size() - 22 - 65535 : 0;
        for (uint64_t p = b_.size() - 22 + 1; p-- > lo;)
            if (at<uint32_t>(p) == 0x06054b50u) {
                eocd = static_cast<int64_t>(p);
                break;
            }
        if (eocd < 0) {
            if (b_.size() >= 2 && static_cast<unsigned char>(b_[0]) == 0x80)
                bad("legacy (non-zip) torch.save format; re-save it with torch >= 1.6");
            bad("no zip end-of-directory record (truncated or not a torch.save file)");
        }
        uint64_t count = at<uint16_t>(eocd + 10);
        uint64_t cd_size = at<uint32_t>(eocd + 12);
        uint64_t cd_off = at<uint32_t>(eocd + 16);
        if (cd_off == 0xffffffffu || count == 0xffffu || cd_size == 0xffffffffu) {  // zip64
            if (eocd < 20 || at<uint32_t>(eocd - 20) != 0x07064b50u) bad("zip64 locator missing");
            const uint64_t z = at<uint64_t>(eocd - 20 + 8);
            if (at<uint32_t>(z) != 0x06064b50u) bad("zip64 end-of-directory record missing");
            count = at<uint64_t>(z + 32);
            cd_size = at<uint64_t>(z + 40);
            cd_off = at<uint64_t>(z + 48);
        }
        if (cd_off > b_.size() || cd_size > b_.size() - cd_off) bad("zip directory lies outside the file (truncated?)");
        if (count > 1000000) bad("implausible number of zip entries");
        uint64_t p = cd_off;
        for (uint64_t i = 0; i < count; ++i) {
            if (at<uint32_t>(p) != 0x02014b50u) bad("corrupt zip directory entry");
            const uint16_t method = at<uint16_t>(p + 10);
            uint64_t csize = at<uint32_t>(p + 20), usize = at<uint32_t>(p + 24);
            const uint16_t nlen = at<uint16_t>(p + 28), elen = at<uint16_t>(p + 30), clen = at<uint16_t>(p + 32);
            uint64_t local = at<uint32_t>(p + 42);
            if (p + 46 + nlen > b_.size()) bad("zip entry name past the end");
            std::string name = b_.substr(p + 46, nlen);
            // zip64 extra field: sizes / offset when the 32-bit fields are saturated
            uint64_t e = p + 46 + nlen, eend = e + elen;
            while (e + 4 <= eend) {
                const uint16_t id = at<uint16_t>(e), sz = at<uint16_t>(e + 2);
                if (id == 0x0001) {
                    uint64_t q = e + 4;
                    if (usize == 0xffffffffu) usize = at<uint64_t>(q), q += 8;
                    if (csize == 0xffffffffu) csize = at<uint64_t>(q), q += 8;
                    if (local == 0xffffffffu) local = at<uint64_t>(q), q += 8;
                }
                e += 4 + sz;
            }
            if (method != 0) bad("entry '" + name + "' is compressed (torch.save writes stored entries)");
            if (csize != usize) bad("entry '" + name + "' sizes disagree");
            if (at<uint32_t>(local) != 0x04034b50u) bad("entry '" + name + "' has no local header");
            const uint64_t data = local + 30 + at<uint16_t>(local + 26) + at<uint16_t>(local + 28);
            if (data > b_.size() || usize > b_.size() - data)
                bad("entry '" + name + "' extends past the end of the file (truncated?)");
            entries_[name] = ZipEntry{data, usize};
            p += 46 + nlen + elen + clen;
        }
    }
    const std::string& b_;
    std::string origin_;
    std::map<std::string, ZipEntry> entries_;
};

// ---- pickle subset ---------------------------------------------------------------

struct PObj;
using P = std::shared_ptr<PObj>;
struct StorageRef {
    std::string dtype, key;
    int64_t numel = 0;
};
struct TensorRef {
    std::shared_ptr<StorageRef> storage;
    int64_t offset = 0;
    std::vector<int64_t> size, stride;
};
struct PObj {
    enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Mark, Other } kind = None;
    int64_t i = 0;
    double f = 0;
    std::string s, s2;  // Str; Global module/name
    std::vector<P> items;                                 // Tuple/List
    std::vector<std::pair<P, P>> dict;                    // Dict (insertion order)
    std::shared_ptr<StorageRef> storage;
    std::shared_ptr<TensorRef> tensor;
};

P make(PObj::Kind k) {
    auto p = std::make_shared<PObj>();
    p->kind = k;
    return p;
}

std::string storageDtype(const std::string& name) {
    if (name == "FloatStorage") return "F32";
    if (name == "HalfStorage") return "F16";
    if (name == "BFloat16Storage") return "BF16";
    if (name == "DoubleStorage") return "F64";
    if (name == "LongStorage") return "I64";
    if (name == "IntStorage") return "I32";
    if (name == "ShortStorage") return "I16";
    if (name == "CharStorage") return "I8";
    if (name == "ByteStorage") return "U8";
    if (name == "BoolStorage") return "BOOL";
    return "";
}

class Unpickler {
public:
    Unpickler(std::string_view data, const Zip& zip) : d_(data), zip_(zip) {}

    P run() {
        constexpr size_t kMaxStack = 1 << 20, kMaxMemo = 1 << 22;
        while (true) {
            const uint8_t op = u8();
            switch (op) {
                case 0x80: u8(); break;          // PROTO
                case 0x95: take(8); break;       // FRAME
                case '}': push(make(PObj::Dict)); break;
                case ']': push(make(PObj::List)); break;
                case ')': push(make(PObj::Tuple)); break;
                case '(': push(make(PObj::Mark)); break;
                case 'X': { auto n = le<uint32_t>(); pushStr(take(n)); break; }
                case 0x8c: { auto n = u8(); pushStr(take(n)); break; }
                case 'T': { auto n = le<uint32_t>(); pushStr(take(n)); break; }
                case 'U': { auto n = u8(); pushStr(take(n)); break; }
                case 'B': { auto n = le<uint32_t>(); pushStr(take(n)); break; }
                case 'C': { auto n = u8(); pushStr(take(n)); break; }
                case 'q': memo(u8()); break;
                case 'r': memo(le<uint32_t>()); break;
                case 0x94: memo(memo_.size()); break;
                case 'h': get(u8()); break;
                case 'j': get(le<uint32_t>()); break;
                case 'J': pushInt(le<int32_t>()); break;
                case 'K': pushInt(u8()); break;
                case 'M': pushInt(le<uint16_t>()); break;
                case 0x8a: {  // LONG1
                    const auto n = u8();
                    if (n > 8) bad("integer too large");
                    auto bytes = take(n);
                    int64_t v = 0;
                    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(bytes[k]);
                    if (n > 0 && n < 8 && (static_cast<uint8_t>(bytes[n - 1]) & 0x80)) v -= int64_t(1) << (8 * n);
                    pushInt(v);
                    break;
                }
                case 'G': {
                    auto bytes = take(8);
                    uint64_t v = 0;
                    for (int k = 0; k < 8; ++k) v = (v << 8) | static_cast<uint8_t>(bytes[k]);
                    auto p = make(PObj::Float);
                    p->f = std::bit_cast<double>(v);
                    push(p);
                    break;
                }
                case 'N': push(make(PObj::None)); break;
                case 0x88: case 0x89: { auto p = make(PObj::Bool); p->i = op == 0x88; push(p); break; }
                case 't': { auto p = make(PObj::Tuple); p->items = popMark(); push(p); break; }
                case 'l': { auto p = make(PObj::List); p->items = popMark(); push(p); break; }
                case 'd': {
                    auto items = popMark();
                    if (items.size() % 2) bad("odd DICT");
                    auto p = make(PObj::Dict);
                    for (size_t k = 0; k < items.size(); k += 2) p->dict.emplace_back(items[k], items[k + 1]);
                    push(p);
                    break;
                }
                case 0x85: case 0x86: case 0x87: {
                    const size_t n = op - 0x84;
                    auto p = make(PObj::Tuple);
                    p->items.resize(n);
                    for (size_t k = n; k-- > 0;) p->items[k] = pop();
                    push(p);
                    break;
                }
                case 'c': {
                    auto p = make(PObj::Global);
                    p->s = line();
                    p->s2 = line();
                    push(p);
                    break;
                }
                case 0x93: {
                    auto name = pop(), mod = pop();
                    auto p = make(PObj::Global);
                    p->s = mod->s;
                    p->s2 = name->s;
                    push(p);
                    break;
                }
                case 'R': case 0x81: { auto args = pop(); auto fn = pop(); push(reduce(fn, args)); break; }
                case 'b': pop(); break;  // BUILD: state (e.g. OrderedDict._metadata) is not needed
                case 's': { auto v = pop(), k = pop(); dictOf(top())->dict.emplace_back(k, v); break; }
                case 'u': {
                    auto items = popMark();
                    if (items.size() % 2) bad("odd SETITEMS");
                    auto d = dictOf(top());
                    for (size_t k = 0; k < items.size(); k += 2) d->dict.emplace_back(items[k], items[k + 1]);
                    break;
                }
                case 'a': { auto v = pop(); listOf(top())->items.push_back(v); break; }
                case 'e': { auto items = popMark(); auto l = listOf(top()); for (auto& v : items) l->items.push_back(v); break; }
                case 'Q': push(persistent(pop())); break;
                case '0': pop(); break;
                case '1': popMark(); break;
                case '2': push(top()); break;
                case '.': return pop();
                default: bad("unsupported pickle opcode 0x" + hex(op));
            }
            if (stack_.size() > kMaxStack || memo_.size() > kMaxMemo) bad("pickle too deep");
        }
    }

private:
    [[noreturn]] void bad(const std::string& w) const { zip_.bad("data.pkl: " + w); }
    static std::string hex(uint8_t v) {
        const char* h = "0123456789abcdef";
        return {h[v >> 4], h[v & 15]};
    }
    uint8_t u8() {
        if (pos_ >= d_.size()) bad("ends early (truncated?)");
        return static_cast<uint8_t>(d_[pos_++]);
    }
    std::string_view take(uint64_t n) {
        if (n > d_.size() - pos_) bad("ends early (truncated?)");
        auto r = d_.substr(pos_, n);
        pos_ += n;
        return r;
    }
    template <class T>
    T le() {
        auto b = take(sizeof(T));
        T v;
        std::memcpy(&v, b.data(), sizeof(T));
        return v;
    }
    std::string line() {
        auto e = d_.find('\n', pos_);
        if (e == std::string_view::npos) bad("ends early (truncated?)");
        std::string r(d_.substr(pos_, e - pos_));
        pos_ = e + 1;
        return r;
    }
    void push(P p) { stack_.push_back(std::move(p)); }
    void pushStr(std::string_view s) {
        auto p = make(PObj::Str);
        p->s = std::string(s);
        push(p);
    }
    void pushInt(int64_t v) {
        auto p = make(PObj::Int);
        p->i = v;
        push(p);
    }
    P pop() {
        if (stack_.empty() || stack_.back()->kind == PObj::Mark) bad("stack underflow");
        auto p = stack_.back();
        stack_.pop_back();
        return p;
    }
    P top() {
        if (stack_.empty()) bad("stack underflow");
        return stack_.back();
    }
    std::vector<P> popMark() {
        std::vector<P> items;
        while (true) {
            if (stack_.empty()) bad("MARK missing");
            auto p = stack_.back();
            stack_.pop_back();
            if (p->kind == PObj::Mark) break;
            items.push_back(p);
        }
        return {items.rbegin(), items.rend()};
    }
    void memo(uint64_t k) {
        if (k > memo_.size() + 1000000) bad("memo index out of range");
        if (k >= memo_.size()) memo_.resize(k + 1);
        memo_[k] = top();
    }
    void get(uint64_t k) {
        if (k >= memo_.size() || !memo_[k]) bad("memo reference to an unknown object");
        push(memo_[k]);
    }
    P dictOf(const P& p) {
        if (p->kind != PObj::Dict) bad("SETITEM on a non-dict");
        return p;
    }
    P listOf(const P& p) {
        if (p->kind != PObj::List) bad("APPEND on a non-list");
        return p;
    }
    static int64_t asInt(const P& p) { return p->kind == PObj::Int || p->kind == PObj::Bool ? p->i : -1; }
    std::vector<int64_t> ints(const P& p) {
        if (p->kind != PObj::Tuple && p->kind != PObj::List) bad("tensor size/stride is not a tuple");
        std::vector<int64_t> r;
        for (auto& v : p->items) {
            if (v->kind != PObj::Int || v->i < 0 || v->i > (int64_t(1) << 40))
                bad("tensor size/stride entry is not an int in [0, 2^40]");
            r.push_back(v->i);
        }
        return r;
    }
    P persistent(const P& pid) {
        if (pid->kind != PObj::Tuple || pid->items.size() < 5 || pid->items[0]->kind != PObj::Str ||
            pid->items[0]->s != "storage")
            bad("unknown persistent id (not a tensor storage)");
        const auto& type = pid->items[1];
        auto st = std::make_shared<StorageRef>();
        st->dtype = type->kind == PObj::Global ? storageDtype(type->s2) : "";
        if (st->dtype.empty()) bad("unsupported storage type '" + type->s + "." + type->s2 + "'");
        if (pid->items[2]->kind != PObj::Str) bad("storage key is not a string");
        st->key = pid->items[2]->s;
        st->numel = asInt(pid->items[4]);
        if (st->numel < 0) bad("storage size is not an int");
        auto p = make(PObj::Storage);
        p->storage = st;
        return p;
    }
    P reduce(const P& fn, const P& args) {
        if (fn->kind == PObj::Global) {
            const std::string full = fn->s + "." + fn->s2;
            if (full == "collections.OrderedDict" || full == "builtins.dict") return make(PObj::Dict);
            if (full == "torch._utils._rebuild_tensor_v2" || full == "torch._utils._rebuild_tensor") {
                if (args->kind != PObj::Tuple || args->items.size() < 4 || args->items[0]->kind != PObj::Storage)
                    bad("malformed tensor record");
                auto t = std::make_shared<TensorRef>();
                t->storage = args->items[0]->storage;
                t->offset = asInt(args->items[1]);
                t->size = ints(args->items[2]);
                t->stride = ints(args->items[3]);
                if (t->offset < 0 || t->size.size() != t->stride.size() || t->size.size() > 8)
                    bad("malformed tensor record");
                auto p = make(PObj::Tensor);
                p->tensor = t;
                return p;
            }
            if (full == "torch._utils._rebuild_parameter" || full == "torch.nn.parameter.Parameter") {
                if (args->kind == PObj::Tuple && !args->items.empty() && args->items[0]->kind == PObj::Tensor)
                    return args->items[0];
            }
        }
        return make(PObj::Other);
    }

    std::string_view d_;
    const Zip& zip_;
    size_t pos_ = 0;
    std::vector<P> stack_, memo_;
};

size_t elemSize(const std::string& d) {
    if (d == "F64" || d == "I64") return 8;
    if (d == "F32" || d == "I32") return 4;
    if (d == "F16" || d == "BF16" || d == "I16") return 2;
    return 1;
}

float toFloat(const std::string& d, const char* p) {
    // Reuse the safetensors converters through a tiny one-tensor image would be heavy;
    // convert directly.
    if (d == "F32") { float v; std::memcpy(&v, p, 4); return v; }
    if (d == "F64") { double v; std::memcpy(&v, p, 8); return static_cast<float>(v); }
    if (d == "BF16") { uint16_t v; std::memcpy(&v, p, 2); return std::bit_cast<float>(static_cast<uint32_t>(v) << 16); }
    if (d == "F16") {
        uint16_t h;
        std::memcpy(&h, p, 2);
        const uint32_t sign = (h & 0x8000u) << 16;
        uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ffu, bits;
        if (exp == 0) {
            if (man == 0) bits = sign;
            else {
                exp = 127 - 15 + 1;
                while (!(man & 0x400u)) { man <<= 1; --exp; }
                bits = sign | (exp << 23) | ((man & 0x3ffu) << 13);
            }
        } else if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
        else bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
        return std::bit_cast<float>(bits);
    }
    if (d == "I64") { int64_t v; std::memcpy(&v, p, 8); return static_cast<float>(v); }
    if (d == "I32") { int32_t v; std::memcpy(&v, p, 4); return static_cast<float>(v); }
    if (d == "I16") { int16_t v; std::memcpy(&v, p, 2); return static_cast<float>(v); }
    if (d == "I8") return static_cast<float>(static_cast<int8_t>(*p));
    return static_cast<float>(static_cast<uint8_t>(*p));
}

}  // namespace

TensorMap parseTorchCheckpoint(const std::string& bytes, const std::string& origin) {
    Zip zip(bytes, origin);
    std::string prefix;
    const ZipEntry* pkl = nullptr;
    for (const auto& [name, e] : zip.entries()) {
        const auto n = name.size();
        if (n >= 8 && name.compare(n - 8, 8, "data.pkl") == 0 && (n == 8 || name[n - 9] == '/')) {
            prefix = name.substr(0, n - 8);
            pkl = &e;
            break;
        }
    }
    if (!pkl) zip.bad("no data.pkl in the archive");
    Unpickler up(zip.data(*pkl), zip);
    P root = up.run();
    if (root->kind != PObj::Dict) zip.bad("the pickled object is not a dict/state_dict");
    // A raw state_dict, or a training checkpoint holding one.
    auto isTensorDict = [](const P& d) {
        for (auto& [k, v] : d->dict)
            if (v->kind == PObj::Tensor) return true;
        return false;
    };
    if (!isTensorDict(root)) {
        for (auto& [k, v] : root->dict)
            if (k->kind == PObj::Str && (k->s == "state_dict" || k->s == "model" || k->s == "ema") &&
                v->kind == PObj::Dict && isTensorDict(v)) {
                root = v;
                break;
            }
    }
    if (!isTensorDict(root)) zip.bad("found no tensors in the state_dict");
    TensorMap out;
    for (auto& [k, v] : root->dict) {
        if (v->kind != PObj::Tensor) continue;
        if (k->kind != PObj::Str) zip.bad("a state_dict key is not a string");
        std::string name = k->s;
        if (name.rfind("module.", 0) == 0) name = name.substr(7);  // DataParallel prefix
        const auto& t = *v->tensor;
        const auto& st = *t.storage;
        auto it = zip.entries().find(prefix + "data/" + st.key);
        if (it == zip.entries().end()) zip.bad("tensor '" + name + "': storage '" + st.key + "' missing from the archive");
        const size_t es = elemSize(st.dtype);
        const std::string_view raw = zip.data(it->second);
        // The highest element index the view touches must lie inside the storage record
        // (128-bit arithmetic: hostile sizes/strides must not wrap around).
        unsigned __int128 count = 1, last = static_cast<uint64_t>(t.offset);
        for (size_t d = 0; d < t.size.size(); ++d) {
            count *= static_cast<uint64_t>(t.size[d]);
            if (t.size[d] > 0) last += static_cast<unsigned __int128>(t.size[d] - 1) * static_cast<uint64_t>(t.stride[d]);
            if (count > (static_cast<unsigned __int128>(1) << 40) || last > (static_cast<unsigned __int128>(1) << 62))
                zip.bad("tensor '" + name + "' is implausibly large");
        }
        if (count > static_cast<uint64_t>(st.numel))
            zip.bad("tensor '" + name + "' has more elements than its storage (broadcast views are not supported)");
        if (count > 0 && (last + 1 > raw.size() / es || last + 1 > static_cast<uint64_t>(st.numel)))
            zip.bad("tensor '" + name + "' reads past the end of its storage (truncated or corrupt)");
        NamedTensor nt;
        nt.shape = t.size;
        nt.data.resize(static_cast<size_t>(count));
        std::vector<int64_t> idx(t.size.size(), 0);
        for (uint64_t i = 0; i < static_cast<uint64_t>(count); ++i) {
            uint64_t off = t.offset;
            for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.stride[d];
            nt.data[i] = toFloat(st.dtype, raw.data() + off * es);
            for (size_t d = idx.size(); d-- > 0;) {
                if (++idx[d] < t.size[d]) break;
                idx[d] = 0;
            }
        }
        out.emplace(std::move(name), std::move(nt));
    }
    return out;
}

TensorMap readTorchCheckpoint(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) fail(ErrorKind::BadInput, file, "cannot read the checkpoint (" + ec.message() + ")");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(ErrorKind::BadInput, file, "cannot open the checkpoint");
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) fail(ErrorKind::Io, file, "read failed");
    return parseTorchCheckpoint(bytes, file.string());
}

}  // namespace redub::models
