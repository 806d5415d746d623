import type { OperationOptions } from "@azure/core-client";
import type { AdminHttpClient } from "../http/admin-http-client.js";
import type { WireSetting, WireSettingsList } from "./models.js";

const settingPath = (name: string) => `/settings/${encodeURIComponent(name)}`;

export async function getSettings(
  client: AdminHttpClient,
  options: OperationOptions,
): Promise<WireSettingsList> {
  return (
    await client.send<WireSettingsList>({ method: "GET", url: "/settings", expectedStatuses: [200], options })
  ).body;
}

export async function getSetting(
  client: AdminHttpClient,
  name: string,
  options: OperationOptions,
): Promise<WireSetting> {
  return (
    await client.send<WireSetting>({
      method: "GET",
      url: settingPath(name),
      expectedStatuses: [200],
      options,
    })
  ).body;
}

export async function updateSetting(
  client: AdminHttpClient,
  name: string,
  value: string,
  options: OperationOptions,
): Promise<WireSetting> {
  const response = await client.send<WireSetting>({
    method: "PATCH",
    url: settingPath(name),
    body: { value },
    expectedStatuses: [200],
    options,
  });
  return response.body;
}
