// The one client of the GraphQL API (same origin, POST /graphql). Errors come back as a message to show.
import { useEffect, useState } from "preact/hooks";

export class ApiError extends Error {}

export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError(`API unreachable: ${(err as Error).message}`);
  }
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`API answered ${res.status} without JSON`);
  }
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  if (!body.data) throw new ApiError(`API answered ${res.status} without data`);
  return body.data;
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

/** Runs `query` when `key` changes (null: not yet); the last answer wins. */
export function useGql<T = any>(query: string, variables: Record<string, unknown> | null, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T> & { key?: string }>({ loading: true });
  useEffect(() => {
    if (variables === null) return;
    let live = true;
    setState({ loading: true, key });
    gql<T>(query, variables).then(
      (data) => live && setState({ data, loading: false, key }),
      (err: Error) => live && setState({ error: err.message, loading: false, key }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state : { loading: true };
}
