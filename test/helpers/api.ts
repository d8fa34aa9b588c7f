// A GraphQL client for API tests: POSTs a query to a running server's /graphql.
import { expect } from "chai";

export interface Answer {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The server's whole answer, errors included. */
export async function graphql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}

/** The answer's data, asserting there were no errors (named in the failure, with `label` if given). */
export async function graphqlData(url: string, query: string, variables: Record<string, unknown> = {}, label = "") {
  const a = await graphql(url, query, variables);
  expect(a.errors, `${label}${JSON.stringify(a.errors)}`).to.equal(undefined);
  return a.data;
}
