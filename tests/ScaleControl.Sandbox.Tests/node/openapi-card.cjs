// Drives the official OpenAPI SDK (@alicloud/dingtalk) against the emulator: token, createAndDeliver, update, and
// one documented error. The SDK takes a bare host as endpoint, so the emulator is mounted at the root for this run.
// Usage: node openapi-card.cjs <host:port> <appKey> <appSecret> <openConversationId> <robotCode> <templateId> <outTrackId>
"use strict";
const Oauth2 = require("@alicloud/dingtalk/oauth2_1_0");
const Card = require("@alicloud/dingtalk/card_1_0");
const { Config } = require("@alicloud/openapi-client");
const { RuntimeOptions } = require("@alicloud/tea-util");

const [endpoint, appKey, appSecret, conversationId, robotCode, templateId, outTrackId] = process.argv.slice(2);
const config = () => new Config({ protocol: "http", regionId: "central", endpoint });
const emit = (event, data) => console.log(JSON.stringify({ event, ...data }));

(async () => {
  const oauth = new Oauth2.default(config());
  const token = await oauth.getAccessToken(new Oauth2.GetAccessTokenRequest({ appKey, appSecret }));
  emit("token", { accessToken: token.body.accessToken, expireIn: token.body.expireIn });

  const card = new Card.default(config());
  const create = () => card.createAndDeliverWithOptions(
    new Card.CreateAndDeliverRequest({
      cardTemplateId: templateId,
      outTrackId,
      callbackType: "STREAM",
      userIdType: 1,
      cardData: new Card.CreateAndDeliverRequestCardData({ cardParamMap: { title: "checkout-api: 20 -> 60", status: "pending", replicasFrom: "20", replicasTo: "60" } }),
      openSpaceId: `dtv1.card//IM_GROUP.${conversationId}`,
      imGroupOpenSpaceModel: new Card.CreateAndDeliverRequestImGroupOpenSpaceModel({ supportForward: false }),
      imGroupOpenDeliverModel: new Card.CreateAndDeliverRequestImGroupOpenDeliverModel({ robotCode, atUserIds: { zhangsan: "张三" } }),
    }),
    new Card.CreateAndDeliverHeaders({ xAcsDingtalkAccessToken: token.body.accessToken }),
    new RuntimeOptions({}));
  const created = await create();
  emit("created", { statusCode: created.statusCode, body: created.body });

  const updated = await card.updateCardWithOptions(
    new Card.UpdateCardRequest({
      outTrackId,
      cardData: new Card.UpdateCardRequestCardData({ cardParamMap: { status: "approved", decidedBy: "zhangsan" } }),
      cardUpdateOptions: new Card.UpdateCardRequestCardUpdateOptions({ updateCardDataByKey: true }),
      userIdType: 1,
    }),
    new Card.UpdateCardHeaders({ xAcsDingtalkAccessToken: token.body.accessToken }),
    new RuntimeOptions({}));
  emit("updated", { statusCode: updated.statusCode, body: updated.body });

  try {
    await create();
    emit("duplicate", { code: null });
  } catch (error) {
    emit("duplicate", { code: error.code, statusCode: error.data && error.data.statusCode });
  }
})().catch((error) => {
  emit("error", { message: error.message, code: error.code });
  process.exit(1);
});
