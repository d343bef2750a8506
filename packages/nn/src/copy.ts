// This copy of @chainrule/nn (see brandClass in @chainrule/ndarray); module.ts brands Module with it.
import { copyOf } from "@chainrule/ndarray";

declare const __CHAINRULE_COPY__: { version?: string; format?: string } | undefined;

export const NN_COPY = copyOf(
  "@chainrule/nn",
  typeof __CHAINRULE_COPY__ === "object" ? __CHAINRULE_COPY__ : undefined,
);
