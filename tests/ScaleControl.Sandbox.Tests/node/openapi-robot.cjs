// Drives the official OpenAPI SDK's robot client (@alicloud/dingtalk robot_1_0) against the emulator: a group message,
// a one-to-one batch (one unknown user), a DING and its recall, and two documented errors, as ScaleControl's notices,
// private chat answers and escalations use them. The SDK takes a bare host as endpoint, so the emulator is at the root.
// Usage: node openapi-robot.cjs <host:port> <appKey> <appSecret> <openConversationId> <robotCode>
"use strict";
const Oauth2 = require("@alicloud/dingtalk/oauth2_1_0");
const Robot = require("@alicloud/dingtalk/robot_1_0");
const { Config } = require("@alicloud/openapi-client");
const { RuntimeOptions } = require("@alicloud/tea-util");

const [endpoint, appKey, appSecret, conversationId, robotCode] = process.argv.slice(2);
const config = () => new Config({ protocol: "http", regionId: "central", endpoint });
const emit = (event, data) => console.log(JSON.stringify({ event, ...data }));
const failure = async (event, call) => {
  try {
    await call();
    emit(event, { code: null });
  } catch (error) {
    emit(event, { code: error.code, statusCode: error.data && error.data.statusCode });
  }
};

(async () => {
  const token = (await new Oauth2.default(config()).getAccessToken(new Oauth2.GetAccessTokenRequest({ appKey, appSecret }))).body.accessToken;
  const robot = new Robot.default(config());
  const runtime = new RuntimeOptions({});
  const markdown = JSON.stringify({ title: "Scaled", text: "**shop/checkout-api** 20 → 24" });

  const group = await robot.orgGroupSendWithOptions(
    new Robot.OrgGroupSendRequest({ robotCode, openConversationId: conversationId, msgKey: "sampleMarkdown", msgParam: markdown }),
    new Robot.OrgGroupSendHeaders({ xAcsDingtalkAccessToken: token }), runtime);
  emit("group", { statusCode: group.statusCode, body: group.body });

  const oto = await robot.batchSendOTOWithOptions(
    new Robot.BatchSendOTORequest({ robotCode, userIds: ["zhangsan", "nobody-here"], msgKey: "sampleText", msgParam: JSON.stringify({ content: "refused" }) }),
    new Robot.BatchSendOTOHeaders({ xAcsDingtalkAccessToken: token }), runtime);
  emit("oto", { statusCode: oto.statusCode, body: oto.body });

  const ding = await robot.robotSendDingWithOptions(
    new Robot.RobotSendDingRequest({ robotCode, remindType: 1, receiverUserIdList: ["lisi"], content: "Scale approval pending" }),
    new Robot.RobotSendDingHeaders({ xAcsDingtalkAccessToken: token }), runtime);
  emit("ding", { statusCode: ding.statusCode, body: ding.body });

  const recall = await robot.robotRecallDingWithOptions(
    new Robot.RobotRecallDingRequest({ robotCode, openDingId: ding.body.openDingId }),
    new Robot.RobotRecallDingHeaders({ xAcsDingtalkAccessToken: token }), runtime);
  emit("recall", { statusCode: recall.statusCode, body: recall.body });

  await failure("badMsgKey", () => robot.orgGroupSendWithOptions(
    new Robot.OrgGroupSendRequest({ robotCode, openConversationId: conversationId, msgKey: "sampleNope", msgParam: markdown }),
    new Robot.OrgGroupSendHeaders({ xAcsDingtalkAccessToken: token }), runtime));
  await failure("badToken", () => robot.batchSendOTOWithOptions(
    new Robot.BatchSendOTORequest({ robotCode, userIds: ["zhangsan"], msgKey: "sampleText", msgParam: JSON.stringify({ content: "x" }) }),
    new Robot.BatchSendOTOHeaders({ xAcsDingtalkAccessToken: "not-a-token" }), runtime));
})().catch((error) => {
  emit("error", { message: error.message, code: error.code });
  process.exit(1);
});
