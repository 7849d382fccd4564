// The libxml2 XSD engine. See schema_validator.h for the contract.
#pragma once

#include "validate/schema/schema_validator.h"

namespace kanta::validate {

Result<std::unique_ptr<SchemaValidator>> LoadLibxml2Validator(const SchemaOptions& options);

}  // namespace kanta::validate
