// The Xerces-C XSD engine. See schema_validator.h for the contract.
#pragma once

#include "validate/schema/schema_validator.h"

namespace kanta::validate {

Result<std::unique_ptr<SchemaValidator>> LoadXercesValidator(const SchemaOptions& options);

}  // namespace kanta::validate
