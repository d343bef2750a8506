// This copy of @chainrule/autograd, and the brand that tells its Variables from another copy's (see
// brandClass in @chainrule/ndarray): nn, optim and graph check Variables users hand them with it.
import { brandClass, copyOf } from "@chainrule/ndarray";
import { Variable } from "./variable";

declare const __CHAINRULE_COPY__: { version?: string; format?: string } | undefined;

export const AUTOGRAD_COPY = copyOf(
  "@chainrule/autograd",
  typeof __CHAINRULE_COPY__ === "object" ? __CHAINRULE_COPY__ : undefined,
);

/** Tells a Variable of another copy of @chainrule/autograd (`variableBrand.reject(x, "what")` throws). */
export const variableBrand = brandClass(Variable, "Variable", AUTOGRAD_COPY, "Variables or tapes");
