using Microsoft.Extensions.Logging;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// The outcome of a tap that took longer than DingTalk lets a callback wait, shown afterwards to the person who tapped
/// (the card's private data for them). Without it the early "Received" was all they learned: in a storm, when taps are
/// slow, a refused row of an Undo all or a refused approval reached nobody.
/// </summary>
public interface ILateTapAnswers
{
    Task ShowAsync(string outTrackId, string userId, IReadOnlyDictionary<string, string> privateData, CancellationToken cancellationToken);
}

/// <summary>Updates only the tapper's private data on the card (by key: the rest of the card and other people's notes stay).</summary>
public sealed partial class DingTalkLateTapAnswers(DingTalkApiClient api, ILogger<DingTalkLateTapAnswers> logger) : ILateTapAnswers
{
    public async Task ShowAsync(string outTrackId, string userId, IReadOnlyDictionary<string, string> privateData, CancellationToken cancellationToken)
    {
        try
        {
            await api.UpdateCardAsync(
                new UpdateCardRequest
                {
                    OutTrackId = outTrackId,
                    PrivateData = new Dictionary<string, CardParams>(StringComparer.Ordinal) { [userId] = new CardParams(privateData) },
                    CardUpdateOptions = new CardUpdateOptions(UpdateCardDataByKey: true, UpdatePrivateDataByKey: true),
                },
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLateAnswerFailed(logger, e, outTrackId, userId);
        }
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "The late answer to {UserId}'s tap on card {OutTrackId} could not be shown")]
    private static partial void LogLateAnswerFailed(ILogger logger, Exception exception, string outTrackId, string userId);
}
