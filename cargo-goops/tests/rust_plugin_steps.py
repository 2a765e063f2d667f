"""Print, as JSON, what craft-parts' rust plugin runs to build a charm project's part.

Usage: python rust_plugin_steps.py <project-dir> <work-dir>

The build environment and commands come from craft-parts' own RustPlugin (the release charmcraft
pins), for the first part of the project's charmcraft.yaml, with the part directories under
<work-dir>; plus the part's `organize` map and its build and install directories.
"""

import json
import pathlib
import sys

import yaml
from craft_parts import Part, PartInfo, ProjectInfo
from craft_parts.plugins import extract_part_properties
from craft_parts.plugins.rust_plugin import RustPlugin, RustPluginProperties

project_dir = pathlib.Path(sys.argv[1])
work_dir = pathlib.Path(sys.argv[2])
project = yaml.safe_load((project_dir / "charmcraft.yaml").read_text())
name, data = next(iter(project["parts"].items()))
info = ProjectInfo(application_name="charmcraft", cache_dir=work_dir / "cache", work_dir=work_dir)
part = Part(name, extract_part_properties(dict(data), plugin_name="rust"))
part_info = PartInfo(info, part)
plugin = RustPlugin(properties=RustPluginProperties.unmarshal(data), part_info=part_info)
print(
    json.dumps(
        {
            "environment": plugin.get_build_environment(),
            "commands": plugin.get_build_commands(),
            "organize": part.spec.organize_files,
            "build_dir": str(part_info.part_build_subdir),
            "install_dir": str(part_info.part_install_dir),
        }
    )
)
