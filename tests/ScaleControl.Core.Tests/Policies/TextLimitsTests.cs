using ScaleControl.Core.Policies.Validation;

namespace ScaleControl.Core.Tests.Policies;

public class TextLimitsTests
{
    /// <summary>What a person sends now: bidi marks and characters that show nothing passed as plain text.</summary>
    [Theory]
    [InlineData("storm \u200F10\u200F")]
    [InlineData("a\u200Eb")]
    [InlineData("a\u061Cb")]
    [InlineData("deploy\u200Bv2")]
    [InlineData("a\u2028approved by lisi")]
    [InlineData("a\u2029b")]
    [InlineData("soft\u00ADhyphen")]
    [InlineData("\uFEFFbom")]
    [InlineData("word\u2060joiner")]
    public void IsPlainInput_HiddenOrReorderingCharacter_IsRefused(string text) => Assert.False(TextLimits.IsPlainInput(text));

    [Theory]
    [InlineData("storm \u200F10\u200F")]
    [InlineData("deploy\u200Bv2")]
    [InlineData("a\u2028b")]
    public void IsPlainText_StoredReasonWithHiddenCharacter_StaysValid(string text) =>
        // A policy stored before the input check must not turn invalid (the loop would stop acting on it).
        Assert.True(TextLimits.IsPlainText(text));

    [Theory]
    [InlineData("on-call \U0001F468\u200D\U0001F4BB 大促")] // the zero-width joiner of an emoji sequence
    [InlineData("line one\nline two\ttabbed")]
    [InlineData("")]
    [InlineData(null)]
    public void IsPlainInput_OrdinaryText_IsAccepted(string? text) => Assert.True(TextLimits.IsPlainInput(text));

    [Theory]
    [InlineData("evil\u202Etxt")]
    [InlineData("\u001b[31mred")]
    public void IsPlainInput_WhatPlainTextRefuses_IsRefusedToo(string text) => Assert.False(TextLimits.IsPlainInput(text));
}
