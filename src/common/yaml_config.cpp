#include "common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

namespace cluster {

std::string YamlConfig::to_config(const CLI::App* app, bool default_also, bool,
                                  std::string) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const CLI::Option* opt : app->get_options()) {
    if (opt->get_lnames().empty() || opt->get_configurable() == false) continue;
    std::vector<std::string> values = opt->reduced_results();
    if (values.empty() && default_also && !opt->get_default_str().empty())
      values.push_back(opt->get_default_str());
    if (values.empty()) continue;
    out << YAML::Key << opt->get_lnames().front() << YAML::Value;
    if (values.size() == 1) {
      out << values.front();
    } else {
      out << YAML::Flow << values;
    }
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  std::vector<CLI::ConfigItem> items;
  YAML::Node root;
  try {
    root = YAML::Load(input);
  } catch (const YAML::Exception& e) {
    throw CLI::ConversionError("config file: " + std::string(e.what()));
  }
  if (root.IsNull()) return items;
  if (!root.IsMap()) throw CLI::ConversionError("config file: top level must be a mapping");
  for (const auto& entry : root) {
    CLI::ConfigItem item;
    item.name = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (value.IsScalar()) {
      item.inputs.push_back(value.as<std::string>());
    } else if (value.IsSequence()) {
      for (const auto& v : value) {
        if (!v.IsScalar())
          throw CLI::ConversionError("config file: " + item.name + ": lists must hold scalars");
        item.inputs.push_back(v.as<std::string>());
      }
    } else if (value.IsNull()) {
      continue;
    } else {
      throw CLI::ConversionError("config file: " + item.name + ": must be a scalar or a list");
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace cluster
