// Runs the official Stream SDK's robot listener (TOPIC_ROBOT) against the emulator, as the SDK's example does:
// each message is answered through its sessionWebhook (markdown, @-mentioning the sender) and then ACKed with the
// webhook's answer. The SDK hard-codes https://api.dingtalk.com, so its axios gets a request interceptor that points
// it at the emulator; the session webhook URL comes from the emulator and is used as given.
// Usage: node stream-robot.mjs <apiBaseUrl> <clientId> <clientSecret>
import { DWClient, TOPIC_ROBOT } from "dingtalk-stream";
import { sdkAxiosPointedAt } from "./emulator-axios.mjs";

const [apiBase, clientId, clientSecret] = process.argv.slice(2);
const axios = await sdkAxiosPointedAt(apiBase);

const emit = (event, data) => console.log(JSON.stringify({ event, ...data }));
const client = new DWClient({ clientId, clientSecret, ua: "fidelity-robot" });
client.registerCallbackListener(TOPIC_ROBOT, async (res) => {
  const message = JSON.parse(res.data);
  emit("message", { messageId: res.headers.messageId, topic: res.headers.topic, appId: res.headers.appId, message });
  const reply = await axios.post(message.sessionWebhook, {
    msgtype: "markdown",
    markdown: { title: "pong", text: `**pong** ${message.text.content.trim()}` },
    at: { atUserIds: [message.senderStaffId], isAtAll: false },
  }, { headers: { "Content-Type": "application/json", "x-acs-dingtalk-access-token": await client.getAccessToken() } });
  emit("replied", { status: reply.status, body: reply.data });
  client.socketCallBackResponse(res.headers.messageId, reply.data);
});
await client.connect();
emit("connected", {});
