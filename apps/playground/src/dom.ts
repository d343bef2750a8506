// Small DOM helpers shared by the views.
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`playground: no element #${id}`);
  return el as T;
};

export const numberInput = (id: string): number => Number($<HTMLInputElement>(id).value);

export function fillBackendSelect(
  select: HTMLSelectElement,
  names: readonly string[],
  preferred: string,
): void {
  select.replaceChildren(...names.map((n) => new Option(n, n, n === preferred, n === preferred)));
}

/** Shows an error in `el` instead of losing it in the console. */
export function reportError(el: HTMLElement, e: unknown): void {
  el.textContent = `error: ${(e as Error).message ?? String(e)}`;
  el.dataset.state = "error";
}
