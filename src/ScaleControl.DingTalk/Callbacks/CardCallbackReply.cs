using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// The synchronous answer to a tap (§3.2): the new public card data and/or a private note for the tapping user,
/// merged by key. Over Stream it travels wrapped as <c>{"response": …}</c> in the ACK; over HTTP it is the body.
/// </summary>
public sealed record CardCallbackReply(CardParams? CardData, CardParams? UserPrivateData, CardUpdateOptions? CardUpdateOptions)
{
    public static CardCallbackReply Public(IReadOnlyDictionary<string, string> cardData, IReadOnlyDictionary<string, string> privateData) =>
        new(new CardParams(cardData), new CardParams(privateData), new CardUpdateOptions(true, true));

    public static CardCallbackReply Private(IReadOnlyDictionary<string, string> privateData) =>
        new(null, new CardParams(privateData), new CardUpdateOptions(true, true));
}
