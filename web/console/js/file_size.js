// A file's size as people read it (1.2 MB), in the user's language.
import { language, t } from "./i18n.js";

export function formatSize(bytes) {
  const number = (n) => new Intl.NumberFormat(language(), { maximumFractionDigits: 1 }).format(n);
  if (bytes < 1024) return t("attach.size_bytes", { size: number(bytes) });
  if (bytes < 1024 * 1024) return t("attach.size_kb", { size: number(bytes / 1024) });
  return t("attach.size_mb", { size: number(bytes / (1024 * 1024)) });
}
