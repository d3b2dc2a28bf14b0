// Sends a text message with the official-style robot sender (dingtalk-robot-sender signs timestamp\nsecret).
// Usage: node webhook.cjs <webhookBaseUrl> <accessToken> <secret> <text>
"use strict";
const ChatBot = require("dingtalk-robot-sender");

const [baseUrl, accessToken, secret, text] = process.argv.slice(2);
new ChatBot({ baseUrl, accessToken, secret })
  .text(text)
  .then((response) => console.log(JSON.stringify({ event: "sent", status: response.status, body: response.data })))
  .catch((error) => {
    console.log(JSON.stringify({ event: "error", message: error.message }));
    process.exit(1);
  });
