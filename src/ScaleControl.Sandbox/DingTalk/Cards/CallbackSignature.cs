using System.Security.Cryptography;
using System.Text;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary><c>x-ddpaas-signature</c> = Base64(HMAC-SHA256(key = apiSecret, message = timestamp)).</summary>
public static class CallbackSignature
{
    public const string TimestampHeader = "x-ddpaas-signature-timestamp";
    public const string SignatureHeader = "x-ddpaas-signature";

    public static string Compute(string apiSecret, string timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiSecret), Encoding.UTF8.GetBytes(timestamp)));
}
