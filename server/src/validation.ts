import type { z } from "zod";
import { describeIssues } from "../../shared/protocol";
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
