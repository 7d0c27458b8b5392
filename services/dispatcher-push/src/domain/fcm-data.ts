/**
 * FCM's `data` payload from `ChannelMessage.data` (a JSON object as a string). FCM accepts only
 * string values, so other values are sent as their JSON text and nulls are left out. An empty
 * string means no data. Returns null when `json` is not a JSON object.
 */
export function toFcmData(json: string): Record<string, string> | null {
  if (json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    data[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return data;
}
