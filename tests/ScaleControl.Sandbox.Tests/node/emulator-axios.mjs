// The official Stream SDK hard-codes https://api.dingtalk.com (and oapi for tokens): this gives its own axios
// instance a request interceptor that points those calls at the emulator. Nothing else of the SDK is touched.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

export async function sdkAxiosPointedAt(apiBase) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const nested = path.join(here, "node_modules/dingtalk-stream/node_modules/axios/index.js");
  const axiosFile = existsSync(nested) ? nested : path.join(here, "node_modules/axios/index.js");
  const { default: axios } = await import(pathToFileURL(axiosFile).href);
  axios.interceptors.request.use((config) => {
    config.url = config.url.replace(/^https:\/\/(api|oapi)\.dingtalk\.com/, apiBase);
    return config;
  });
  return axios;
}
