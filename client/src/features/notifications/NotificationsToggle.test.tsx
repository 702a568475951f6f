import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { NOTIFICATIONS_STORAGE_KEY } from "./notificationPolicy";
import { NotificationsToggle } from "./NotificationsToggle";

function stubNotificationApi(answer: NotificationPermission) {
  const requestPermission = vi.fn(async () => answer);
  vi.stubGlobal("Notification", { permission: "default", requestPermission });
  return requestPermission;
}

describe("NotificationsToggle", () => {
  it("asks for permission on click, then shows and remembers that notifications are on", async () => {
    const requestPermission = stubNotificationApi("granted");
    const user = userEvent.setup();
    render(<NotificationsToggle />);

    await user.click(screen.getByRole("button", { name: "Enable notifications" }));

    expect(requestPermission).toHaveBeenCalledOnce();
    expect(await screen.findByRole("button", { name: "Notifications on" })).toBeInTheDocument();
    expect(localStorage.getItem(NOTIFICATIONS_STORAGE_KEY)).toBe("on");
  });

  it("says when the browser refused", async () => {
    stubNotificationApi("denied");
    const user = userEvent.setup();
    render(<NotificationsToggle />);

    await user.click(screen.getByRole("button", { name: "Enable notifications" }));

    expect(await screen.findByRole("button", { name: "Notifications blocked" })).toBeDisabled();
    expect(localStorage.getItem(NOTIFICATIONS_STORAGE_KEY)).toBeNull();
  });

  it("is absent without the Notification API", () => {
    render(<NotificationsToggle />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});
