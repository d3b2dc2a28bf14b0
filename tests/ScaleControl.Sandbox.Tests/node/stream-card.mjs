// Runs the official Stream SDK (dingtalk-stream) against the emulator's gateway and answers card callbacks the way
// the SDK's own examples do (socketCallBackResponse). The SDK hard-codes https://api.dingtalk.com, so its axios
// instance gets a request interceptor that points it at the emulator; nothing else of the SDK is touched.
// Usage: node stream-card.mjs <apiBaseUrl> <clientId> <clientSecret>
import { DWClient, TOPIC_CARD } from "dingtalk-stream";
import { sdkAxiosPointedAt } from "./emulator-axios.mjs";

const [apiBase, clientId, clientSecret] = process.argv.slice(2);
await sdkAxiosPointedAt(apiBase);

const emit = (event, data) => console.log(JSON.stringify({ event, ...data }));
const client = new DWClient({ clientId, clientSecret, keepAlive: true, ua: "fidelity-test" });
client.registerCallbackListener(TOPIC_CARD, (message) => {
  const payload = JSON.parse(message.data);
  const content = JSON.parse(payload.content);
  emit("callback", { messageId: message.headers.messageId, outTrackId: payload.outTrackId, userId: payload.userId, actionIds: content.cardPrivateData.actionIds });
  client.socketCallBackResponse(message.headers.messageId, {
    cardData: { cardParamMap: { status: "approved", decidedBy: payload.userId } },
    cardUpdateOptions: { updateCardDataByKey: true },
  });
});
await client.connect();
emit("connected", {});
