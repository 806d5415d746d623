import type { KeyVaultSetting } from "@mhsm/keyvault-admin";
import type { View } from "../output.js";

export const settingView: View<KeyVaultSetting> = {
  json: (setting) => ({ name: setting.name, value: setting.value, type: setting.kind ?? null }),
  columns: [
    { header: "Name", value: (s) => s.name },
    { header: "Value", value: (s) => s.value },
    { header: "Type", value: (s) => s.kind },
  ],
};
