import type { z } from "zod";
import { AppError } from "./errors";

export function validationError(error: z.ZodError): AppError {
  return new AppError("VALIDATION", describeIssues(error));
}

/** Validates untrusted input (HTTP body/query or socket payload) or throws VALIDATION. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** Turns a zod failure into the one-line message carried by a VALIDATION error. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
