// A CLI11 config formatter for k3s-style YAML config files: top-level keys are flag names
// without the leading dashes ("data-dir: /srv/cluster"), values are scalars or lists of
// scalars (for repeatable flags). Flags given on the command line win over the file.
#pragma once

#include <CLI/CLI.hpp>

namespace cluster {

class YamlConfig : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  // Throws CLI::ConversionError (CLI11's contract) with a one-line reason on bad YAML.
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace cluster
