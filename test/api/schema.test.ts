// The schema is the API's documentation: every type, field, argument, input field and enum value says what it is.
import { expect } from "chai";
import { buildSchema, isEnumType, isInputObjectType, isObjectType, isIntrospectionType } from "graphql";
import { typeDefs } from "../../api/server";

describe("API: schema documentation", () => {
  it("describes every type, field, argument and input field", () => {
    const schema = buildSchema(typeDefs);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || type.name.startsWith("__") || ["String", "Int", "Boolean", "ID", "Float"].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of "args" in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing, `undocumented: ${missing.join(", ")}`).to.deep.equal([]);
  });
});
