#pragma once
// A validator for the subset of JSON Schema (draft 2020-12, "JSON Schema Validation" §6) that
// the tool registry's schemas use. Written by hand because Debian 12 packages no C++ JSON
// Schema validator (valijson and nlohmann's json-schema-validator are not in bookworm), and
// the subset is small: the registry's schemas are checked against it (schema_keywords_known),
// so a schema using a keyword this file does not implement fails a unit test rather than
// being silently ignored.
//
// Keywords: type (a name or an array of names: object, array, string, integer, number,
// boolean, null), properties, required, additionalProperties (false or a schema), enum,
// minLength/maxLength (Unicode code points, §6.3.1), minimum/maximum, items, minItems,
// maxItems. Annotations ignored: title, description, format, default, examples, $schema.
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace todo::tools {

// The violations of `instance` against `schema`, each {field, message} with the field as a
// path ("tags[3]", "title"; "" for the root). At most 20 listed. Empty when valid.
std::vector<FieldError> validate_json(const boost::json::value& schema,
                                      const boost::json::value& instance);

// The keywords of `schema` (recursively) that validate_json does not know; empty when every
// keyword is implemented or an ignored annotation.
std::vector<std::string> unknown_schema_keywords(const boost::json::value& schema);

}  // namespace todo::tools
