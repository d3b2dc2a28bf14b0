using ScaleControl.Benchmarks;

// `dingtalk`: card taps against the DingTalk emulator (see DingTalkTapBenchmark).
if (args is ["dingtalk", .. var dingTalkArgs])
    return await DingTalkTapBenchmark.RunAsync(dingTalkArgs);

return 0;
