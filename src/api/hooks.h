// Per-kind hooks of the resource table (defaulting, validation, selectable fields), installed
// by kind name. Kept apart from the table so that resources.cpp stays a plain list.
#pragma once

#include "api/resources.h"

namespace cluster::api {

void InstallHooks(ResourceInfo* info);

}  // namespace cluster::api
