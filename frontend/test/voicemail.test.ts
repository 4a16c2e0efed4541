import { afterEach, describe, expect, it } from "vitest";
import {
  EMAIL_CHOICES,
  audioUrl,
  callerText,
  concernsInbox,
  concernsMailbox,
  downloadName,
  emailChoiceText,
  emailChoices,
  formatLength,
  greetingAudioUrl,
  greetingByPhoneText,
  greetingText,
  isEmailChoice,
  isFull,
  retentionText,
  summaryText,
  usagePercent,
  withCounts,
  usageText,
} from "../src/voicemail";
import { useLanguage } from "./lang";

afterEach(() => useLanguage("en"));

const MB = 1024 * 1024;

describe("formatLength", () => {
  it("shows minutes and seconds, whole seconds as the browser's player does", () => {
    expect(formatLength(12.3)).toBe("0:12");
    expect(formatLength(12.9)).toBe("0:12");
    expect(formatLength(65)).toBe("1:05");
    expect(formatLength(180)).toBe("3:00");
  });

  it("never shows a kept message as 0:00, and copes with nonsense", () => {
    expect(formatLength(0.4)).toBe("0:01");
    expect(formatLength(0)).toBe("0:00");
    expect(formatLength(-3)).toBe("0:00");
    expect(formatLength(Number.NaN)).toBe("0:00");
  });
});

describe("callerText", () => {
  it("gives the name with the number, the number alone, or says it is unknown", () => {
    expect(callerText({ caller: "1002", caller_name: "Bent Tester" })).toBe("Bent Tester (1002)");
    expect(callerText({ caller: "1002", caller_name: "" })).toBe("1002");
    expect(callerText({ caller: "1002", caller_name: "1002" })).toBe("1002");
    expect(callerText({ caller: "", caller_name: "Bent Tester" })).toBe("Bent Tester");
    expect(callerText({ caller: "", caller_name: " " })).toBe("Unknown caller");
    useLanguage("de");
    expect(callerText({ caller: "", caller_name: "" })).toBe("Unbekannter Anrufer");
  });
});

describe("summaryText", () => {
  it("counts new and listened-to messages in each language", () => {
    expect(summaryText(2, 3)).toBe("2 new, 3 listened to");
    expect(summaryText(0, 1)).toBe("0 new, 1 listened to");
    useLanguage("de");
    expect(summaryText(1, 4)).toBe("1 neu, 4 abgehört");
    useLanguage("da");
    expect(summaryText(1, 1)).toBe("1 ny, 1 aflyttet");
    expect(summaryText(2, 3)).toBe("2 nye, 3 aflyttede");
  });
});

describe("usage", () => {
  it("says how full the mailbox is", () => {
    expect(usageText(1.2 * MB, 50 * MB)).toBe("1.2 MB of 50 MB used");
    expect(usageText(0, 50 * MB)).toBe("0 B of 50 MB used");
    useLanguage("de");
    expect(usageText(1.2 * MB, 50 * MB)).toBe("1,2 MB von 50 MB belegt");
    useLanguage("da");
    expect(usageText(1.2 * MB, 50 * MB)).toBe("1,2 MB af 50 MB brugt");
  });

  it("gives whole per cent, at most 100", () => {
    expect(usagePercent(0, 50 * MB)).toBe(0);
    expect(usagePercent(25 * MB, 50 * MB)).toBe(50);
    expect(usagePercent(60 * MB, 50 * MB)).toBe(100);
    expect(usagePercent(5, 0)).toBe(0);
  });

  it("is full at the limit, as the server refuses messages then", () => {
    expect(isFull({ used_bytes: 50 * MB, max_bytes: 50 * MB })).toBe(true);
    expect(isFull({ used_bytes: 50 * MB - 1, max_bytes: 50 * MB })).toBe(false);
  });
});

describe("retentionText", () => {
  it("names the days", () => {
    expect(retentionText(30)).toBe("Listened-to messages are deleted after 30 days.");
    expect(retentionText(1)).toBe("Listened-to messages are deleted after 1 day.");
    useLanguage("de");
    expect(retentionText(30)).toBe("Abgehörte Nachrichten werden nach 30 Tagen gelöscht.");
    useLanguage("da");
    expect(retentionText(7)).toBe("Aflyttede beskeder slettes efter 7 dage.");
  });
});

describe("audioUrl and downloadName", () => {
  it("points at the message's audio", () => {
    expect(audioUrl({ id: "01JABCDEFGHJKMNPQRSTVWXYZ0" })).toBe("/api/voicemail/messages/01JABCDEFGHJKMNPQRSTVWXYZ0/audio");
  });

  it("names the file after the caller and the local time it was left", () => {
    const received = new Date(2026, 11, 1, 14, 3, 9).getTime() / 1000;
    expect(downloadName({ caller: "1002", received })).toBe("voicemail-1002-2026-12-01-1403.wav");
    expect(downloadName({ caller: "+45 12 34", received })).toBe("voicemail-+451234-2026-12-01-1403.wav");
    expect(downloadName({ caller: "", received })).toBe("voicemail-2026-12-01-1403.wav");
    expect(downloadName({ caller: "../x", received: Number.NaN })).toBe("voicemail-x.wav");
  });
});

describe("concernsMailbox", () => {
  it("matches the shown mailbox's user, any while none is shown", () => {
    expect(concernsMailbox({ user_id: 5 }, 5)).toBe(true);
    expect(concernsMailbox({ user_id: "5" }, 5)).toBe(true);
    expect(concernsMailbox({ user_id: 6 }, 5)).toBe(false);
    expect(concernsMailbox({}, 5)).toBe(false);
    expect(concernsMailbox(undefined, 5)).toBe(false);
    expect(concernsMailbox({ user_id: 6 }, null)).toBe(true);
  });
});

describe("group inboxes (GIB-03)", () => {
  it("matches an event of one of the inboxes shown", () => {
    expect(concernsInbox({ user_id: 0, inbox_id: 3 }, [1, 3])).toBe(true);
    expect(concernsInbox({ user_id: 0, inbox_id: "3" }, [3])).toBe(true);
    expect(concernsInbox({ user_id: 0, inbox_id: 4 }, [3])).toBe(false);
    expect(concernsInbox({ user_id: 5 }, [3])).toBe(false);
    expect(concernsInbox(undefined, [])).toBe(false);
  });

  it("counts new and listened-to messages", () => {
    const m = { id: "A", caller: "1002", caller_name: "", received: 0, seconds: 1 };
    const counted = withCounts([{ ...m, heard: false }, { ...m, id: "B", heard: true }, { ...m, id: "C", heard: true }]);
    expect([counted.new, counted.old, counted.messages.length]).toEqual([1, 2, 3]);
  });
});

describe("the e-mail choice (VM-07)", () => {
  it("names the three choices and keeps an unknown value as it is", () => {
    expect(EMAIL_CHOICES.map(emailChoiceText)).toEqual(["No", "Yes", "Yes, with the recording attached"]);
    expect(emailChoiceText("sometimes")).toBe("sometimes");
    expect(emailChoiceText(null)).toBe("");
    expect(isEmailChoice("attach")).toBe(true);
    expect(isEmailChoice("Attach")).toBe(false);
    expect(isEmailChoice(1)).toBe(false);
  });

  it("speaks the user's language", () => {
    useLanguage("de");
    expect(emailChoiceText("attach")).toBe("Ja, mit der Aufnahme im Anhang");
    useLanguage("da");
    expect(emailChoiceText("no")).toBe("Nej");
  });

  it("gives the choices as value and label for <cb-my-setting>", () => {
    expect(emailChoices()).toEqual([
      ["no", "No"],
      ["yes", "Yes"],
      ["attach", "Yes, with the recording attached"],
    ]);
  });
});

describe("the greetings (VM-10)", () => {
  const standard = { personal: false, seconds: null };

  it("says which greeting callers hear, the user's own with its length", () => {
    const own = { default_prompt: null, greetings: { unavailable: { personal: true, seconds: 4.2 }, busy: standard } };
    expect(greetingText(own, "unavailable")).toBe("Callers hear your own greeting (0:04).");
    expect(greetingText(own, "busy")).toBe("Callers hear the standard greeting.");
    expect(greetingText({ ...own, default_prompt: "org:3" }, "busy")).toBe("Callers hear your organisation's greeting.");
    useLanguage("de");
    expect(greetingText(own, "unavailable")).toBe("Anrufer hören Ihre eigene Ansage (0:04).");
  });

  it("plays a new recording, not the one the player had", () => {
    expect(greetingAudioUrl("busy")).toBe("/api/voicemail/greetings/busy/audio");
    expect(greetingAudioUrl("unavailable", 3)).toBe("/api/voicemail/greetings/unavailable/audio?v=3");
  });

  it("tells how to record by phone with the user's code", () => {
    expect(greetingByPhoneText("*50*")).toContain("dial *50* on your own phone, press 0, then 1");
  });
});
