using System.Security.Cryptography;
using System.Text;

namespace ScaleControl.DingTalk.Api;

/// <summary>The two HMAC-SHA256 signatures DingTalk uses (dingtalk-protocol.md §2.5 and §6.1).</summary>
public static class DingTalkSignatures
{
    /// <summary><c>x-ddpaas-signature</c> of an HTTP card callback: Base64(HMAC-SHA256(apiSecret, timestamp)).</summary>
    public static string CardCallback(string apiSecret, string timestamp) => Hmac(apiSecret, timestamp);

    /// <summary>The custom-robot webhook <c>sign</c> before URL encoding: Base64(HMAC-SHA256(secret, "timestamp\nsecret")).</summary>
    public static string Webhook(string secret, long timestampMilliseconds) =>
        Hmac(secret, timestampMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + secret);

    private static string Hmac(string key, string message) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
