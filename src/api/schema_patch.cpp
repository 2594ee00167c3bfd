// The strategic-merge-patch strategies read from the one schema table (src/api/schema): each
// field's patchStrategy / patchMergeKey as k8s.io/api 1.32 tags them.
#include "api/patch_schema.h"
#include "api/schema.h"

namespace cluster::api {
namespace {

class SchemaPatchSchema : public PatchSchema {
 public:
  explicit SchemaPatchSchema(const schema::Schema& s) : schema_(s) {}

  bool HasKind(std::string_view kind) const override { return Root(kind) != nullptr; }

  std::optional<FieldStrategy> ForPath(std::string_view kind,
                                       const std::vector<std::string>& path) const override {
    const schema::Type* type = Root(kind);
    if (type == nullptr || path.empty()) return std::nullopt;
    const schema::Field* field = nullptr;
    for (size_t i = 0; i < path.size(); ++i) {
      if (type == nullptr) return std::nullopt;
      field = type->FieldByJsonName(path[i]);
      if (field == nullptr) return std::nullopt;
      if (i + 1 == path.size()) break;
      // A map's next path element is a key, not a field: step over it to the value type.
      if (field->shape == schema::Shape::kMap) {
        if (++i + 1 == path.size()) return FieldStrategy{};  // the map value itself
      }
      type = field->scalar == schema::Scalar::kMessage ? field->message : nullptr;
    }
    return StrategyOf(*field);
  }

 private:
  const schema::Type* Root(std::string_view kind) const {
    for (const schema::Type* t : schema_.kinds())
      if (t->short_name == kind) return t;
    return nullptr;
  }

  static FieldStrategy StrategyOf(const schema::Field& f) {
    FieldStrategy s;
    const std::string& p = f.patch_strategy;
    if (p.find("merge") != std::string::npos) {
      s.strategy = FieldStrategy::Kind::kMerge;
      s.merge_key = f.patch_merge_key;
    } else if (p.find("replace") != std::string::npos) {
      s.strategy = FieldStrategy::Kind::kReplace;
    }
    s.retain_keys = p.find("retainKeys") != std::string::npos;
    return s;
  }

  const schema::Schema& schema_;
};

}  // namespace

const PatchSchema& SchemaDrivenPatchSchema() {
  static const SchemaPatchSchema* s = new SchemaPatchSchema(schema::Schema::Get());
  return *s;
}

}  // namespace cluster::api
