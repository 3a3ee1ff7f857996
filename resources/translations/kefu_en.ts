<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AttentionCenter</name>
    <message numerus="yes">
        <location filename="../../ui/attention.py" line="96"/>
        <source>Kefu Desk · %n unread</source>
        <translation>
            <numerusform>Kefu Desk · %n unread</numerusform>
            <numerusform>Kefu Desk · %n unread</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>New chat</source>
        <translation>New chat</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>{0} is waiting for you</source>
        <translation>{0} is waiting for you</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="111"/>
        <source>Reply soon</source>
        <translation>Reply soon</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="111"/>
        <source>Reply overdue</source>
        <translation>Reply overdue</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="112"/>
        <source>{0} has waited 100 s</source>
        <translation>{0} has waited 100 s</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="113"/>
        <source>{0} has waited more than 3 minutes</source>
        <translation>{0} has waited more than 3 minutes</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="125"/>
        <source>3-minute reply rate below the bar</source>
        <translation>3-minute reply rate below the bar</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="126"/>
        <source>Today&apos;s rate is {0:.1f}%, under the platform&apos;s 80%</source>
        <translation>Today&apos;s rate is {0:.1f}%, under the platform&apos;s 80%</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="128"/>
        <source>Chat overdue</source>
        <translation>Chat overdue</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="128"/>
        <source>{0} has waited more than 3 minutes for a reply</source>
        <translation>{0} has waited more than 3 minutes for a reply</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="130"/>
        <source>New complaint</source>
        <translation>New complaint</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="130"/>
        <source>{0} complained about a video call</source>
        <translation>{0} complained about a video call</translation>
    </message>
</context>
<context>
    <name>CallInvite</name>
    <message>
        <location filename="../../ui/call_invite.py" line="73"/>
        <source>Show the installation steps</source>
        <translation>Show the installation steps</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="73"/>
        <source>Look at a problem with the product</source>
        <translation>Look at a problem with the product</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="74"/>
        <source>Explain the product&apos;s features</source>
        <translation>Explain the product&apos;s features</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="137"/>
        <source>Only the agent this chat is assigned to can invite the buyer.</source>
        <translation>Only the agent this chat is assigned to can invite the buyer.</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="139"/>
        <source>Not connected to the relay.</source>
        <translation>Not connected to the relay.</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="157"/>
        <source>Voice call</source>
        <translation>Voice call</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="160"/>
        <source>Ringing… (withdraw)</source>
        <translation>Ringing… (withdraw)</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="161"/>
        <source>Waiting for the buyer to answer; click to withdraw the invitation.</source>
        <translation>Waiting for the buyer to answer; click to withdraw the invitation.</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="164"/>
        <source>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</source>
        <translation>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="167"/>
        <source>Delivered: the buyer sees the invitation.</source>
        <translation>Delivered: the buyer sees the invitation.</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="171"/>
        <source>In a call</source>
        <translation>In a call</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="172"/>
        <source>Show the call window</source>
        <translation>Show the call window</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="178"/>
        <location filename="../../ui/call_invite.py" line="186"/>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="187"/>
        <source>Invite the buyer to a video explanation (the buyer accepts or declines)</source>
        <translation>Invite the buyer to a video explanation (the buyer accepts or declines)</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="188"/>
        <source>Invite the buyer to a voice call, without video (the buyer accepts or declines)</source>
        <translation>Invite the buyer to a voice call, without video (the buyer accepts or declines)</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <location filename="../../ui/call_window.py" line="186"/>
        <source>Video call · {0}</source>
        <translation>Video call · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <source>Show:</source>
        <translation>Show:</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <location filename="../../ui/call_window.py" line="296"/>
        <source>Unmute</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <location filename="../../ui/call_window.py" line="296"/>
        <source>Mute</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="190"/>
        <source>Hang up</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="191"/>
        <source>Your video</source>
        <translation>Your video</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="197"/>
        <source>Test pattern</source>
        <translation>Test pattern</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="199"/>
        <source>My screen</source>
        <translation>My screen</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="201"/>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>A window</source>
        <translation>A window</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="205"/>
        <source>Product video: {0}</source>
        <translation>Product video: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="245"/>
        <source>Voice call: no video either way</source>
        <translation>Voice call: no video either way</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>Window: {0}</source>
        <translation>Window: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="231"/>
        <source>The call has ended</source>
        <translation>The call has ended</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="233"/>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="233"/>
        <location filename="../../ui/call_window.py" line="235"/>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="237"/>
        <source>Waiting for the buyer…</source>
        <translation>Waiting for the buyer…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="239"/>
        <source>audio only</source>
        <translation>audio only</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="241"/>
        <source>{0} can no longer be shown; the buyer sees the test pattern</source>
        <translation>{0} can no longer be shown; the buyer sees the test pattern</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="247"/>
        <source>The buyer&apos;s camera is off</source>
        <translation>The buyer&apos;s camera is off</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/call_window.py" line="253"/>
        <source>The call will be ended at the shop&apos;s limit in %n minute(s).</source>
        <translation>
            <numerusform>The call will be ended at the shop&apos;s limit in %n minute.</numerusform>
            <numerusform>The call will be ended at the shop&apos;s limit in %n minutes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/chat_lines.py" line="28"/>
        <source>Return and refund</source>
        <translation>Return and refund</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="29"/>
        <source>Refund only</source>
        <translation>Refund only</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="30"/>
        <source>Compensation coupon</source>
        <translation>Compensation coupon</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="37"/>
        <source>Waiting for the buyer</source>
        <translation>Waiting for the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="38"/>
        <source>Accepted by the buyer</source>
        <translation>Accepted by the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="39"/>
        <source>Declined by the buyer</source>
        <translation>Declined by the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="40"/>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="41"/>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="56"/>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="58"/>
        <location filename="../../ui/chat_lines.py" line="64"/>
        <source>Order {0}</source>
        <translation>Order {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="61"/>
        <source>Video explanation invitation</source>
        <translation>Video explanation invitation</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="62"/>
        <source>From {0}</source>
        <translation>From {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="63"/>
        <source>After-sales offer: {0}</source>
        <translation>After-sales offer: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="100"/>
        <source>Whisper from {0} · staff only</source>
        <translation>Whisper from {0} · staff only</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="101"/>
        <source>Internal note · {0} · staff only</source>
        <translation>Internal note · {0} · staff only</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="245"/>
        <source>Not sent — click to retry</source>
        <translation>Not sent — click to retry</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="247"/>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="249"/>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="250"/>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="268"/>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="270"/>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="323"/>
        <source>Copy text</source>
        <translation>Copy text</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="325"/>
        <source>Retry sending</source>
        <translation>Retry sending</translation>
    </message>
</context>
<context>
    <name>ComplaintsModel</name>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="137"/>
        <source>Did not ask for a call</source>
        <translation>Did not ask for a call</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="137"/>
        <source>Inappropriate</source>
        <translation>Inappropriate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="138"/>
        <source>Sales pressure</source>
        <translation>Sales pressure</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="138"/>
        <source>Privacy</source>
        <translation>Privacy</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="139"/>
        <source>Poor quality</source>
        <translation>Poor quality</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="139"/>
        <source>Other</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="146"/>
        <source>{0} s</source>
        <translation>{0} s</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="147"/>
        <source>{0} min {1:02d} s</source>
        <translation>{0} min {1:02d} s</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="151"/>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="152"/>
        <source>Handled by {0} at {1}</source>
        <translation>Handled by {0} at {1}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="152"/>
        <source>someone</source>
        <translation>someone</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Buyer</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Buyer&apos;s words</source>
        <translation>Buyer&apos;s words</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>Call length</source>
        <translation>Call length</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>Handling note</source>
        <translation>Handling note</translation>
    </message>
</context>
<context>
    <name>ComplaintsPanel</name>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="346"/>
        <source>Open complaints</source>
        <translation>Open complaints</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="347"/>
        <source>All complaints</source>
        <translation>All complaints</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Buyer</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Complained at</source>
        <translation>Complained at</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Buyer&apos;s words</source>
        <translation>Buyer&apos;s words</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Invited at</source>
        <translation>Invited at</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>Call length</source>
        <translation>Call length</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>Call id</source>
        <translation>Call id</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="352"/>
        <source>Handling note</source>
        <translation>Handling note</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="356"/>
        <source>What was done (the buyer never sees this)</source>
        <translation>What was done (the buyer never sees this)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="357"/>
        <source>Open conversation</source>
        <translation>Open conversation</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="358"/>
        <location filename="../../ui/supervisor/complaints.py" line="450"/>
        <source>Mark handled</source>
        <translation>Mark handled</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="359"/>
        <source>Reopen</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="374"/>
        <source>Loading complaints…</source>
        <translation>Loading complaints…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/complaints.py" line="406"/>
        <source>%n complaint(s)</source>
        <translation>
            <numerusform>%n complaint</numerusform>
            <numerusform>%n complaints</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/complaints.py" line="406"/>
        <source>%n open</source>
        <translation>
            <numerusform>%n open</numerusform>
            <numerusform>%n open</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="450"/>
        <source>Save note</source>
        <translation>Save note</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="454"/>
        <source>(no words)</source>
        <translation>(no words)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="482"/>
        <source>Saving…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="491"/>
        <source>Marked handled.</source>
        <translation>Marked handled.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="491"/>
        <source>Open again.</source>
        <translation>Open again.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="180"/>
        <source>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</source>
        <translation>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="145"/>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="146"/>
        <source>Quick replies (Ctrl+/)</source>
        <translation>Quick replies (Ctrl+/)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="147"/>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="148"/>
        <source>Card</source>
        <translation>Card</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="149"/>
        <source>Send a product or order card</source>
        <translation>Send a product or order card</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="150"/>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="151"/>
        <source>Write to the buyer</source>
        <translation>Write to the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="152"/>
        <source>Internal note</source>
        <translation>Internal note</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="153"/>
        <source>Write a note only staff see; the buyer never sees it</source>
        <translation>Write a note only staff see; the buyer never sees it</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="176"/>
        <source>Internal note: only staff see it · Enter to save</source>
        <translation>Internal note: only staff see it · Enter to save</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="177"/>
        <source>Add note</source>
        <translation>Add note</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="181"/>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="215"/>
        <source>No template matches “{0}”</source>
        <translation>No template matches “{0}”</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="243"/>
        <source>No value for {0}: please fill it in</source>
        <translation>No value for {0}: please fill it in</translation>
    </message>
</context>
<context>
    <name>ContextPanel</name>
    <message>
        <location filename="../../ui/context_panel.py" line="153"/>
        <source>Loading the buyer&apos;s orders…</source>
        <translation>Loading the buyer&apos;s orders…</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="166"/>
        <source>Buyer</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="167"/>
        <source>Choose a conversation to see the buyer&apos;s orders.</source>
        <translation>Choose a conversation to see the buyer&apos;s orders.</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="169"/>
        <source> · VIP</source>
        <translation> · VIP</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/context_panel.py" line="171"/>
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n order</numerusform>
            <numerusform>%n orders</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/context_panel.py" line="172"/>
        <source>%n after-sales case(s)</source>
        <translation>
            <numerusform>%n after-sales case</numerusform>
            <numerusform>%n after-sales cases</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="174"/>
        <source>After-sales</source>
        <translation>After-sales</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="179"/>
        <source>Order {0} · {1}</source>
        <translation>Order {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="180"/>
        <source>Orders</source>
        <translation>Orders</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="182"/>
        <source>No orders in this shop.</source>
        <translation>No orders in this shop.</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="202"/>
        <source>Send card</source>
        <translation>Send card</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="205"/>
        <source>[Order] {0}</source>
        <translation>[Order] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="208"/>
        <source>Product card</source>
        <translation>Product card</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="212"/>
        <source>[Product] {0}</source>
        <translation>[Product] {0}</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Transfer</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="151"/>
        <source>Hand this chat to a colleague (Ctrl+T)</source>
        <translation>Hand this chat to a colleague (Ctrl+T)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="152"/>
        <source>Resolve</source>
        <translation>Resolve</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="153"/>
        <source>Close this chat as handled (Ctrl+Shift+R)</source>
        <translation>Close this chat as handled (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="154"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="209"/>
        <source>No conversation selected</source>
        <translation>No conversation selected</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="210"/>
        <source>Chats assigned to you appear on the left.</source>
        <translation>Chats assigned to you appear on the left.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Conversation {0}</source>
        <translation>Conversation {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="213"/>
        <source>From the local history (read only)</source>
        <translation>From the local history (read only)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="216"/>
        <source>nobody</source>
        <translation>nobody</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="217"/>
        <source>Served by {0}</source>
        <translation>Served by {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="217"/>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="219"/>
        <source>Note from the previous agent: {0}</source>
        <translation>Note from the previous agent: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="228"/>
        <source>This chat is not assigned to you.</source>
        <translation>This chat is not assigned to you.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="253"/>
        <source>No reply for over 3 minutes ({0})</source>
        <translation>No reply for over 3 minutes ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="255"/>
        <source>Reply soon: {0} left to the 3-minute mark</source>
        <translation>Reply soon: {0} left to the 3-minute mark</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="257"/>
        <source>Waiting for a reply · {0}</source>
        <translation>Waiting for a reply · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="343"/>
        <source>Buyer&apos;s rating: {0}</source>
        <translation>Buyer&apos;s rating: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="345"/>
        <source>“{0}”</source>
        <translation>“{0}”</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/conversation_panel.py" line="347"/>
        <source>%n of 5 stars</source>
        <translation>
            <numerusform>%n of 5 stars</numerusform>
            <numerusform>%n of 5 stars</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="386"/>
        <source>Order {0} · {1}</source>
        <translation>Order {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="387"/>
        <source>[Order] {0}</source>
        <translation>[Order] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="389"/>
        <source>This buyer has no orders in the shop</source>
        <translation>This buyer has no orders in the shop</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="416"/>
        <source>Export conversation</source>
        <translation>Export conversation</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="417"/>
        <source>Text (*.txt);;CSV (*.csv)</source>
        <translation>Text (*.txt);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="429"/>
        <source>Exported {0} messages to {1}</source>
        <translation>Exported {0} messages to {1}</translation>
    </message>
</context>
<context>
    <name>DrillDialog</name>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="95"/>
        <source>Reply rounds</source>
        <translation>Reply rounds</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="95"/>
        <source>Rounds answered late or not at all</source>
        <translation>Rounds answered late or not at all</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="96"/>
        <source>First responses</source>
        <translation>First responses</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="96"/>
        <source>Resolved chats</source>
        <translation>Resolved chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="97"/>
        <source>Abandoned chats</source>
        <translation>Abandoned chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="97"/>
        <source>Reopened chats</source>
        <translation>Reopened chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="98"/>
        <source>Transfers</source>
        <translation>Transfers</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="98"/>
        <source>Video invitations</source>
        <translation>Video invitations</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="99"/>
        <source>Connected calls</source>
        <translation>Connected calls</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="99"/>
        <source>Declined invitations</source>
        <translation>Declined invitations</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="100"/>
        <source>Expired invitations</source>
        <translation>Expired invitations</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="100"/>
        <source>Complaints</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="101"/>
        <source>Ratings</source>
        <translation>Ratings</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="101"/>
        <source>Ratings of 1-3 stars</source>
        <translation>Ratings of 1-3 stars</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="105"/>
        <source>the whole shop</source>
        <translation>the whole shop</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="106"/>
        <source>Behind the figure: {0}</source>
        <translation>Behind the figure: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="107"/>
        <source>{0} · {1} · {2} to {3}</source>
        <translation>{0} · {1} · {2} to {3}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Buyer</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>What</source>
        <translation>What</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="109"/>
        <source>Seconds</source>
        <translation>Seconds</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="110"/>
        <source>Open in chats</source>
        <translation>Open in chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>on time</source>
        <translation>on time</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>late</source>
        <translation>late</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>unanswered</source>
        <translation>unanswered</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>abandoned</source>
        <translation>abandoned</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>waiting</source>
        <translation>waiting</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>resolved</source>
        <translation>resolved</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>rating</source>
        <translation>rating</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>declined</source>
        <translation>declined</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>expired</source>
        <translation>expired</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>complaint</source>
        <translation>complaint</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>transfer</source>
        <translation>transfer</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="118"/>
        <source>first response</source>
        <translation>first response</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="118"/>
        <source>reopened</source>
        <translation>reopened</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="119"/>
        <source>taken over</source>
        <translation>taken over</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="119"/>
        <source>back to the queue</source>
        <translation>back to the queue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>reassigned</source>
        <translation>reassigned</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>accepted</source>
        <translation>accepted</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>invited</source>
        <translation>invited</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>cancelled</source>
        <translation>cancelled</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>delivered</source>
        <translation>delivered</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>ended</source>
        <translation>ended</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="125"/>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="137"/>
        <source> (the newest {0}; narrow the range for the rest)</source>
        <translation> (the newest {0}; narrow the range for the rest)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/drill.py" line="138"/>
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n row</numerusform>
            <numerusform>%n rows</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="148"/>
        <source>Internal note</source>
        <translation>Internal note</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="148"/>
        <source>Whisper</source>
        <translation>Whisper</translation>
    </message>
</context>
<context>
    <name>ErrorTexts</name>
    <message>
        <location filename="../../ui/errors.py" line="31"/>
        <source>Another agent took this chat first.</source>
        <translation>Another agent took this chat first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="32"/>
        <source>Set your status to online before taking chats.</source>
        <translation>Set your status to online before taking chats.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="33"/>
        <source>You already have as many chats as your maximum; finish one first.</source>
        <translation>You already have as many chats as your maximum; finish one first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="34"/>
        <source>This chat is not with any agent now.</source>
        <translation>This chat is not with any agent now.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="35"/>
        <source>The chat is already with that agent.</source>
        <translation>The chat is already with that agent.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="36"/>
        <source>That agent is offline; choose another one or the queue.</source>
        <translation>That agent is offline; choose another one or the queue.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="37"/>
        <source>That agent has as many chats as their maximum; choose another.</source>
        <translation>That agent has as many chats as their maximum; choose another.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="38"/>
        <source>The order is not paid yet: there is nothing to refund.</source>
        <translation>The order is not paid yet: there is nothing to refund.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="39"/>
        <source>The buyer has already answered this offer.</source>
        <translation>The buyer has already answered this offer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="40"/>
        <source>This message clashes with one already sent; write it again.</source>
        <translation>This message clashes with one already sent; write it again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="41"/>
        <source>You have the most personal templates allowed; delete one first.</source>
        <translation>You have the most personal templates allowed; delete one first.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="42"/>
        <source>This chat has been rated already.</source>
        <translation>This chat has been rated already.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="43"/>
        <source>Only a resolved chat can be rated.</source>
        <translation>Only a resolved chat can be rated.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="50"/>
        <source>Video calls are switched off for this shop.</source>
        <translation>Video calls are switched off for this shop.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="52"/>
        <source>The buyer has not written in this chat: only a buyer who started a chat can be invited.</source>
        <translation>The buyer has not written in this chat: only a buyer who started a chat can be invited.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="54"/>
        <source>The chat has been quiet for too long; invite once the buyer writes again.</source>
        <translation>The chat has been quiet for too long; invite once the buyer writes again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="56"/>
        <source>This buyer has had today&apos;s invitations already; try again tomorrow.</source>
        <translation>This buyer has had today&apos;s invitations already; try again tomorrow.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/errors.py" line="59"/>
        <source>The buyer declined a moment ago; you can invite again in %n minute(s).</source>
        <translation>
            <numerusform>The buyer declined a moment ago; you can invite again in %n minute.</numerusform>
            <numerusform>The buyer declined a moment ago; you can invite again in %n minutes.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="61"/>
        <source>The buyer chose not to receive video invitations from this shop.</source>
        <translation>The buyer chose not to receive video invitations from this shop.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="63"/>
        <source>A video call is already being set up or running.</source>
        <translation>A video call is already being set up or running.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="65"/>
        <source>The call has already ended or changed; nothing was done.</source>
        <translation>The call has already ended or changed; nothing was done.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="71"/>
        <source>Not possible any more: the chat changed meanwhile.</source>
        <translation>Not possible any more: the chat changed meanwhile.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="79"/>
        <source>The relay could not read what this workstation sent (a fault in the workstation); update the workstation.</source>
        <translation>The relay could not read what this workstation sent (a fault in the workstation); update the workstation.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="82"/>
        <source>The relay does not know a request this workstation sent (a fault in the workstation); update the workstation.</source>
        <translation>The relay does not know a request this workstation sent (a fault in the workstation); update the workstation.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="85"/>
        <source>The relay did not accept this: something in it is missing, too long or not allowed.</source>
        <translation>The relay did not accept this: something in it is missing, too long or not allowed.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="89"/>
        <source>You are not allowed to do this (the chat may be with another agent now).</source>
        <translation>You are not allowed to do this (the chat may be with another agent now).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="90"/>
        <source>It no longer exists, or it is not visible to you.</source>
        <translation>It no longer exists, or it is not visible to you.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="87"/>
        <source>Too fast; wait a moment and try again.</source>
        <translation>Too fast; wait a moment and try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="76"/>
        <source>Too many failed attempts. Try again in {0} s.</source>
        <translation>Too many failed attempts. Try again in {0} s.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="88"/>
        <source>Your session has ended; log in again.</source>
        <translation>Your session has ended; log in again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="95"/>
        <source>The relay is restarting; reconnecting.</source>
        <translation>The relay is restarting; reconnecting.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="86"/>
        <source>Too long to send; shorten it.</source>
        <translation>Too long to send; shorten it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="92"/>
        <source>The relay does not accept connections from this workstation; ask your administrator.</source>
        <translation>The relay does not accept connections from this workstation; ask your administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="93"/>
        <source>This workstation is too old for the relay; update it.</source>
        <translation>This workstation is too old for the relay; update it.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="94"/>
        <source>The connection could not keep up with the relay; reconnecting.</source>
        <translation>The connection could not keep up with the relay; reconnecting.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="98"/>
        <source>The relay cannot save anything right now; try again in a moment.</source>
        <translation>The relay cannot save anything right now; try again in a moment.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="99"/>
        <source>The relay had a problem; try again.</source>
        <translation>The relay had a problem; try again.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="104"/>
        <source>The relay refused this ({0}).</source>
        <translation>The relay refused this ({0}).</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="109"/>
        <source>it has expired</source>
        <translation>it has expired</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="110"/>
        <source>it is not valid yet (check this computer&apos;s date and time)</source>
        <translation>it is not valid yet (check this computer&apos;s date and time)</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="111"/>
        <source>it was not issued by an authority this computer trusts</source>
        <translation>it was not issued by an authority this computer trusts</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="112"/>
        <source>it was issued for another address</source>
        <translation>it was issued for another address</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="114"/>
        <source>OpenSSL says: {0}</source>
        <translation>OpenSSL says: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="116"/>
        <source>The relay&apos;s certificate could not be verified: {0}. Nothing was sent to it, not even your password. Check the relay address; if your shop runs its own relay, choose its CA file; otherwise tell your administrator.</source>
        <translation>The relay&apos;s certificate could not be verified: {0}. Nothing was sent to it, not even your password. Check the relay address; if your shop runs its own relay, choose its CA file; otherwise tell your administrator.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="125"/>
        <source>The CA file {0} cannot be used: it is missing, unreadable or holds no PEM certificate. Choose the file your administrator gave you, or clear the field.</source>
        <translation>The CA file {0} cannot be used: it is missing, unreadable or holds no PEM certificate. Choose the file your administrator gave you, or clear the field.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="128"/>
        <source>Not connected to the relay; try again when the connection is back.</source>
        <translation>Not connected to the relay; try again when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="132"/>
        <source>This picture source cannot be used on this computer.</source>
        <translation>This picture source cannot be used on this computer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="133"/>
        <source>Something went wrong: {0}</source>
        <translation>Something went wrong: {0}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="156"/>
        <source>Export figures (CSV)</source>
        <translation>Export figures (CSV)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Last 7 days</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Last 30 days</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="158"/>
        <source>Custom range</source>
        <translation>Custom range</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="160"/>
        <source>Days</source>
        <translation>Days</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="161"/>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="162"/>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="163"/>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="164"/>
        <source>Choose where to save the CSV file</source>
        <translation>Choose where to save the CSV file</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="165"/>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="166"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="171"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="171"/>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="205"/>
        <source>The last day is before the first.</source>
        <translation>The last day is before the first.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="207"/>
        <source>At most {0} days at a time; shorten the range.</source>
        <translation>At most {0} days at a time; shorten the range.</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="224"/>
        <source>Save the figures as</source>
        <translation>Save the figures as</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="227"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="227"/>
        <source>All files (*)</source>
        <translation>All files (*)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="254"/>
        <source>Fetching the figures…</source>
        <translation>Fetching the figures…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/export_dialog.py" line="263"/>
        <source>%n row(s) written to {0}.</source>
        <translation>
            <numerusform>%n row written to {0}.</numerusform>
            <numerusform>%n rows written to {0}.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="269"/>
        <source>Writing the file…</source>
        <translation>Writing the file…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="272"/>
        <source>Fetching the figures… {0} of {1} days</source>
        <translation>Fetching the figures… {0} of {1} days</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="303"/>
        <source>Export cancelled; no file was written.</source>
        <translation>Export cancelled; no file was written.</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../ui/help_dialog.py" line="45"/>
        <source>Keyboard shortcuts</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="46"/>
        <source>Keys</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="46"/>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="48"/>
        <source>Next chat with unread messages</source>
        <translation>Next chat with unread messages</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="49"/>
        <source>Quick reply templates</source>
        <translation>Quick reply templates</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="50"/>
        <source>Search the history</source>
        <translation>Search the history</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="51"/>
        <source>Transfer the chat</source>
        <translation>Transfer the chat</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="52"/>
        <source>Resolve the chat</source>
        <translation>Resolve the chat</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="53"/>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="54"/>
        <source>New line</source>
        <translation>New line</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="55"/>
        <source>This help</source>
        <translation>This help</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login_dialog.py" line="110"/>
        <source>Kefu Desk · Log in</source>
        <translation>Kefu Desk · Log in</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="111"/>
        <source>Kefu Desk · customer service workstation</source>
        <translation>Kefu Desk · customer service workstation</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Relay</source>
        <translation>Relay</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Shop</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="113"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="115"/>
        <source>Remember me on this computer</source>
        <translation>Remember me on this computer</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="116"/>
        <source>CA file</source>
        <translation>CA file</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="117"/>
        <source>Optional: only for a self-hosted relay with its own certificate</source>
        <translation>Optional: only for a self-hosted relay with its own certificate</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="118"/>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="121"/>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="130"/>
        <source>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</source>
        <translation>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="136"/>
        <source>Choose the relay&apos;s CA file</source>
        <translation>Choose the relay&apos;s CA file</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="137"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="148"/>
        <source>Please fill in every field.</source>
        <translation>Please fill in every field.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="150"/>
        <source>Logging in…</source>
        <translation>Logging in…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="172"/>
        <source>Wrong shop, account or password.</source>
        <translation>Wrong shop, account or password.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="174"/>
        <source>Cannot reach the relay. Check the address and your network.</source>
        <translation>Cannot reach the relay. Check the address and your network.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="249"/>
        <source>Kefu Desk · {0}</source>
        <translation>Kefu Desk · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Busy</source>
        <translation>Busy</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256"/>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="257"/>
        <source>Search the history (Ctrl+F)</source>
        <translation>Search the history (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="258"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="259"/>
        <source>Shortcuts</source>
        <translation>Shortcuts</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="260"/>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="296"/>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="299"/>
        <source>Your login is no longer valid; please log in again.</source>
        <translation>Your login is no longer valid; please log in again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="314"/>
        <source>{0} declined the video call.</source>
        <translation>{0} declined the video call.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="316"/>
        <source>{0} did not answer the video call invitation.</source>
        <translation>{0} did not answer the video call invitation.</translation>
    </message>
</context>
<context>
    <name>MonitorBar</name>
    <message>
        <location filename="../../ui/monitor_bar.py" line="87"/>
        <source>Add note</source>
        <translation>Add note</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="88"/>
        <source>An internal note on this chat, for staff only</source>
        <translation>An internal note on this chat, for staff only</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="89"/>
        <source>Take over</source>
        <translation>Take over</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="90"/>
        <source>Answer the buyer yourself; the chat leaves its agent</source>
        <translation>Answer the buyer yourself; the chat leaves its agent</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="91"/>
        <source>Reassign…</source>
        <translation>Reassign…</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="92"/>
        <source>Give the chat to another agent or back to the queue</source>
        <translation>Give the chat to another agent or back to the queue</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="105"/>
        <source>Monitoring — the buyer is not told.</source>
        <translation>Monitoring — the buyer is not told.</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="107"/>
        <source>Waiting in the queue: nobody holds this chat yet.</source>
        <translation>Waiting in the queue: nobody holds this chat yet.</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="108"/>
        <source>Internal note (staff only)</source>
        <translation>Internal note (staff only)</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="109"/>
        <source>Whisper</source>
        <translation>Whisper</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="111"/>
        <source>{0} is serving this chat.</source>
        <translation>{0} is serving this chat.</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="112"/>
        <source>Whisper to {0} (the buyer never sees it)</source>
        <translation>Whisper to {0} (the buyer never sees it)</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="113"/>
        <source>Whisper to {0}</source>
        <translation>Whisper to {0}</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="115"/>
        <source>Nobody holds this chat to whisper to.</source>
        <translation>Nobody holds this chat to whisper to.</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="167"/>
        <source>Reassign {0}</source>
        <translation>Reassign {0}</translation>
    </message>
</context>
<context>
    <name>OfferDialog</name>
    <message>
        <location filename="../../ui/context_panel.py" line="79"/>
        <source>Order</source>
        <translation>Order</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="80"/>
        <source>Solution</source>
        <translation>Solution</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="81"/>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="84"/>
        <source>Offer an after-sales solution</source>
        <translation>Offer an after-sales solution</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="107"/>
        <source>The amount must be between ¥0.01 and {0}</source>
        <translation>The amount must be between ¥0.01 and {0}</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../../ui/main_window.py" line="85"/>
        <source>Reconnect now</source>
        <translation>Reconnect now</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="91"/>
        <source>Messages you type are kept and sent when the connection is back.</source>
        <translation>Messages you type are kept and sent when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="96"/>
        <source>Connecting to the relay…</source>
        <translation>Connecting to the relay…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="99"/>
        <source>Checking again in {0} s.</source>
        <translation>Checking again in {0} s.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="100"/>
        <source>The relay is unreachable; retrying in {0} s.</source>
        <translation>The relay is unreachable; retrying in {0} s.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="102"/>
        <source>Disconnected from the relay.</source>
        <translation>Disconnected from the relay.</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../ui/queue_panel.py" line="276"/>
        <location filename="../../ui/queue_panel.py" line="286"/>
        <source>My chats ({0})</source>
        <translation>My chats ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="277"/>
        <location filename="../../ui/queue_panel.py" line="290"/>
        <source>Waiting ({0})</source>
        <translation>Waiting ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>Buyer</source>
        <translation>Buyer</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="279"/>
        <source>Claim</source>
        <translation>Claim</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="297"/>
        <source>returned</source>
        <translation>returned</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="297"/>
        <source>after-sales</source>
        <translation>after-sales</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="298"/>
        <source>high value</source>
        <translation>high value</translation>
    </message>
</context>
<context>
    <name>RateChart</name>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="62"/>
        <source>3-minute reply rate</source>
        <translation>3-minute reply rate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="63"/>
        <source>Platform bar (80%)</source>
        <translation>Platform bar (80%)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="64"/>
        <source>Today by hour</source>
        <translation>Today by hour</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="64"/>
        <source>By day</source>
        <translation>By day</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../ui/search_dialog.py" line="59"/>
        <source>Search history</source>
        <translation>Search history</translation>
    </message>
    <message>
        <location filename="../../ui/search_dialog.py" line="60"/>
        <source>Words from any message (one Chinese character is enough)</source>
        <translation>Words from any message (one Chinese character is enough)</translation>
    </message>
    <message>
        <location filename="../../ui/search_dialog.py" line="70"/>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/search_dialog.py" line="87"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n result</numerusform>
            <numerusform>%n results</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="54"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="55"/>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="58"/>
        <source>Follow the system</source>
        <translation>Follow the system</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="62"/>
        <source>Notify me of new chats</source>
        <translation>Notify me of new chats</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="63"/>
        <source>Notify me when a buyer waits too long (100 s)</source>
        <translation>Notify me when a buyer waits too long (100 s)</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="64"/>
        <source>Play a sound with notifications</source>
        <translation>Play a sound with notifications</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="65"/>
        <source>Alert me when the 3-minute rate drops below 80%, a chat is overdue or a buyer complains</source>
        <translation>Alert me when the 3-minute rate drops below 80%, a chat is overdue or a buyer complains</translation>
    </message>
</context>
<context>
    <name>ShopActions</name>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="422"/>
        <source>Templates…</source>
        <translation>Templates…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="423"/>
        <source>Edit the quick-reply templates</source>
        <translation>Edit the quick-reply templates</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="424"/>
        <source>Shop settings…</source>
        <translation>Shop settings…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="425"/>
        <source>Agents&apos; caps, routing, service hours and video calls</source>
        <translation>Agents&apos; caps, routing, service hours and video calls</translation>
    </message>
</context>
<context>
    <name>ShopSettingsDialog</name>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="188"/>
        <source>Automatic: new chats go to free agents</source>
        <translation>Automatic: new chats go to free agents</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="189"/>
        <source>Manual: agents take chats from the queue</source>
        <translation>Manual: agents take chats from the queue</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="190"/>
        <source>Both: automatic, and agents may also take chats</source>
        <translation>Both: automatic, and agents may also take chats</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="193"/>
        <source>Shop settings</source>
        <translation>Shop settings</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="194"/>
        <source>These settings are the shop&apos;s: they apply to every workstation at once.</source>
        <translation>These settings are the shop&apos;s: they apply to every workstation at once.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="195"/>
        <location filename="../../ui/shop_settings_dialog.py" line="319"/>
        <source>Only supervisors change the shop&apos;s settings.</source>
        <translation>Only supervisors change the shop&apos;s settings.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="196"/>
        <source>Agents: most chats at once</source>
        <translation>Agents: most chats at once</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="197"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="197"/>
        <source>Max chats</source>
        <translation>Max chats</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="198"/>
        <source>Routing and service hours</source>
        <translation>Routing and service hours</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="199"/>
        <location filename="../../ui/shop_settings_dialog.py" line="288"/>
        <source>Video calls</source>
        <translation>Video calls</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="200"/>
        <source>Recent changes</source>
        <translation>Recent changes</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>When</source>
        <translation>When</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>Who</source>
        <translation>Who</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>Setting</source>
        <translation>Setting</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="202"/>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Routing</source>
        <translation>Routing</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <source>Service hours</source>
        <translation>Service hours</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <location filename="../../ui/shop_settings_dialog.py" line="288"/>
        <source>Time zone</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="205"/>
        <location filename="../../ui/shop_settings_dialog.py" line="289"/>
        <source>Invitations per buyer a day</source>
        <translation>Invitations per buyer a day</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="205"/>
        <source>Pause after a decline (minutes)</source>
        <translation>Pause after a decline (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="206"/>
        <source>Longest call (minutes)</source>
        <translation>Longest call (minutes)</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="206"/>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="208"/>
        <source>Video calls switched on for the whole shop</source>
        <translation>Video calls switched on for the whole shop</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="214"/>
        <source>Save changes</source>
        <translation>Save changes</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="261"/>
        <source>{0} changed the shop&apos;s settings just now; the fields you have not edited show the new values.</source>
        <translation>{0} changed the shop&apos;s settings just now; the fields you have not edited show the new values.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="284"/>
        <source>Max chats of {0}</source>
        <translation>Max chats of {0}</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="286"/>
        <source>Shop template #{0}</source>
        <translation>Shop template #{0}</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Opens</source>
        <translation>Opens</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Closes</source>
        <translation>Closes</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="290"/>
        <source>Pause after a decline (s)</source>
        <translation>Pause after a decline (s)</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="291"/>
        <source>Longest call (s)</source>
        <translation>Longest call (s)</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="292"/>
        <source>Order of the shop&apos;s templates</source>
        <translation>Order of the shop&apos;s templates</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="297"/>
        <source>(none)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="299"/>
        <source>on</source>
        <translation>on</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="299"/>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>automatic</source>
        <translation>automatic</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>manual</source>
        <translation>manual</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>both</source>
        <translation>both</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="320"/>
        <source>This agent is no longer in the shop; close and open the settings again.</source>
        <translation>This agent is no longer in the shop; close and open the settings again.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="321"/>
        <source>An agent&apos;s maximum must be between {0} and {1} chats.</source>
        <translation>An agent&apos;s maximum must be between {0} and {1} chats.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="322"/>
        <source>Choose how new chats are routed.</source>
        <translation>Choose how new chats are routed.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="323"/>
        <source>Write the hours as HH:MM, e.g. 09:00 (24:00 closes at midnight).</source>
        <translation>Write the hours as HH:MM, e.g. 09:00 (24:00 closes at midnight).</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="324"/>
        <source>The shop must open before it closes (24:00 closes at midnight).</source>
        <translation>The shop must open before it closes (24:00 closes at midnight).</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="325"/>
        <source>Unknown time zone: use a name like Asia/Shanghai.</source>
        <translation>Unknown time zone: use a name like Asia/Shanghai.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="326"/>
        <source>Invitations per buyer a day must be between {0} and {1}.</source>
        <translation>Invitations per buyer a day must be between {0} and {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="327"/>
        <source>The pause after a decline must be between {0} and {1} seconds.</source>
        <translation>The pause after a decline must be between {0} and {1} seconds.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="328"/>
        <source>The longest call must be between {0} and {1} seconds.</source>
        <translation>The longest call must be between {0} and {1} seconds.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="329"/>
        <source>The longest call must be longer than the warning before its end ({0} s).</source>
        <translation>The longest call must be longer than the warning before its end ({0} s).</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="360"/>
        <source>Nothing has changed.</source>
        <translation>Nothing has changed.</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="362"/>
        <source>Saving…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="373"/>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>SupervisorWorkspace</name>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="57"/>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="58"/>
        <location filename="../../ui/supervisor/workspace.py" line="66"/>
        <source>Wallboard</source>
        <translation>Wallboard</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="59"/>
        <source>Complaints</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="60"/>
        <source>Export figures…</source>
        <translation>Export figures…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="61"/>
        <source>Write the shop&apos;s figures for a date range to a CSV file</source>
        <translation>Write the shop&apos;s figures for a date range to a CSV file</translation>
    </message>
</context>
<context>
    <name>SystemText</name>
    <message>
        <location filename="../../ui/system_text.py" line="31"/>
        <source>the buyer did not ask for a video call</source>
        <translation>the buyer did not ask for a video call</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="32"/>
        <source>inappropriate content</source>
        <translation>inappropriate content</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="33"/>
        <source>sales pressure</source>
        <translation>sales pressure</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="34"/>
        <source>privacy</source>
        <translation>privacy</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="35"/>
        <source>poor call quality</source>
        <translation>poor call quality</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="36"/>
        <source>other</source>
        <translation>other</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="47"/>
        <source>{0} min {1} s</source>
        <translation>{0} min {1} s</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="48"/>
        <source>{0} s</source>
        <translation>{0} s</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="58"/>
        <source>The buyer rated this chat {0} of 5 stars: “{1}”</source>
        <translation>The buyer rated this chat {0} of 5 stars: “{1}”</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="59"/>
        <source>The buyer rated this chat {0} of 5 stars.</source>
        <translation>The buyer rated this chat {0} of 5 stars.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="63"/>
        <source>The buyer was welcomed to {0} and waits for an agent.</source>
        <translation>The buyer was welcomed to {0} and waits for an agent.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="65"/>
        <source>Outside service hours ({0}–{1}): the buyer was told an agent replies once back.</source>
        <translation>Outside service hours ({0}–{1}): the buyer was told an agent replies once back.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="68"/>
        <source>{0} joined the chat.</source>
        <translation>{0} joined the chat.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="69"/>
        <source>The chat was transferred to {0}.</source>
        <translation>The chat was transferred to {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="70"/>
        <source>Supervisor {0} took the chat over.</source>
        <translation>Supervisor {0} took the chat over.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="71"/>
        <source>The chat went back to the queue; the buyer waits for an agent.</source>
        <translation>The chat went back to the queue; the buyer waits for an agent.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="72"/>
        <source>The chat was resolved.</source>
        <translation>The chat was resolved.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="73"/>
        <source>The chat closed by itself after a long silence.</source>
        <translation>The chat closed by itself after a long silence.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="74"/>
        <source>The buyer left the queue; the chat was closed.</source>
        <translation>The buyer left the queue; the chat was closed.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="76"/>
        <source>The buyer accepted the after-sales offer: {0} {1}</source>
        <translation>The buyer accepted the after-sales offer: {0} {1}</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="78"/>
        <source>The buyer declined the after-sales offer: {0} {1}</source>
        <translation>The buyer declined the after-sales offer: {0} {1}</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="80"/>
        <source>The buyer declined the video explanation.</source>
        <translation>The buyer declined the video explanation.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="81"/>
        <source>The buyer no longer accepts this shop&apos;s video invitations.</source>
        <translation>The buyer no longer accepts this shop&apos;s video invitations.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="82"/>
        <source>The buyer accepts this shop&apos;s video invitations again.</source>
        <translation>The buyer accepts this shop&apos;s video invitations again.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="83"/>
        <source>The video invitation expired unanswered.</source>
        <translation>The video invitation expired unanswered.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="84"/>
        <source>The agent withdrew the video invitation.</source>
        <translation>The agent withdrew the video invitation.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="85"/>
        <source>The video explanation is connected (encrypted end to end, not recorded).</source>
        <translation>The video explanation is connected (encrypted end to end, not recorded).</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="87"/>
        <source>The video explanation ended after {0}.</source>
        <translation>The video explanation ended after {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="89"/>
        <source>The buyer complained about the video explanation: {0}</source>
        <translation>The buyer complained about the video explanation: {0}</translation>
    </message>
</context>
<context>
    <name>TemplateEditorDialog</name>
    <message>
        <location filename="../../ui/template_editor.py" line="175"/>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="176"/>
        <source>Shop templates</source>
        <translation>Shop templates</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="177"/>
        <source>My templates</source>
        <translation>My templates</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="178"/>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="179"/>
        <source>Move up</source>
        <translation>Move up</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="180"/>
        <source>Move down</source>
        <translation>Move down</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="181"/>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="182"/>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Shortcut</source>
        <translation>Shortcut</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="184"/>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="184"/>
        <source>Preview</source>
        <translation>Preview</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="186"/>
        <source>Insert:</source>
        <translation>Insert:</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="190"/>
        <source>letters and digits, e.g. thh</source>
        <translation>letters and digits, e.g. thh</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="195"/>
        <source>The buyer&apos;s nickname</source>
        <translation>The buyer&apos;s nickname</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="195"/>
        <source>The order number</source>
        <translation>The order number</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="196"/>
        <source>The order&apos;s first product</source>
        <translation>The order&apos;s first product</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="196"/>
        <source>Your name</source>
        <translation>Your name</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="197"/>
        <source>The tracking number</source>
        <translation>The tracking number</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="201"/>
        <source>Wang Xiaoming</source>
        <translation>Wang Xiaoming</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="202"/>
        <source>Range hood</source>
        <translation>Range hood</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="224"/>
        <source>The shop&apos;s templates are edited by supervisors; you can read and use them here, and edit your own under &quot;My templates&quot;.</source>
        <translation>The shop&apos;s templates are edited by supervisors; you can read and use them here, and edit your own under &quot;My templates&quot;.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="362"/>
        <source>Not a variable, sent as written: {0}</source>
        <translation>Not a variable, sent as written: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The group</source>
        <translation>The group</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The title</source>
        <translation>The title</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The text</source>
        <translation>The text</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="389"/>
        <source>The shortcut</source>
        <translation>The shortcut</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="392"/>
        <source>{0} must not be empty.</source>
        <translation>{0} must not be empty.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="394"/>
        <source>{0} may have at most {1} characters.</source>
        <translation>{0} may have at most {1} characters.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="396"/>
        <source>The shortcut may only have lowercase letters a-z and digits.</source>
        <translation>The shortcut may only have lowercase letters a-z and digits.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="397"/>
        <source>Another template already uses this shortcut; choose another one.</source>
        <translation>Another template already uses this shortcut; choose another one.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="402"/>
        <source>You cannot edit this template.</source>
        <translation>You cannot edit this template.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="416"/>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="423"/>
        <source>Delete template</source>
        <translation>Delete template</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="424"/>
        <source>Delete the template &quot;{0}&quot;?</source>
        <translation>Delete the template &quot;{0}&quot;?</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="440"/>
        <source>Deleted.</source>
        <translation>Deleted.</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <location filename="../../ui/template_picker.py" line="63"/>
        <source>↑↓ choose · Enter use · Esc close · type to filter (pinyin initials work)</source>
        <translation>↑↓ choose · Enter use · Esc close · type to filter (pinyin initials work)</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="34"/>
        <source>Transfer {0}</source>
        <translation>Transfer {0}</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>busy</source>
        <translation>busy</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>away</source>
        <translation>away</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="38"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="39"/>
        <source>Back to the queue (the next free agent takes it)</source>
        <translation>Back to the queue (the next free agent takes it)</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="46"/>
        <source>{0} · {1} · {2}/{3} chats</source>
        <translation>{0} · {1} · {2}/{3} chats</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="52"/>
        <source>Only an online agent with room can take the chat</source>
        <translation>Only an online agent with room can take the chat</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="58"/>
        <source>Note for the next agent (what the buyer needs, what you tried)</source>
        <translation>Note for the next agent (what the buyer needs, what you tried)</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="64"/>
        <source>Transfer to:</source>
        <translation>Transfer to:</translation>
    </message>
</context>
<context>
    <name>Wallboard</name>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="36"/>
        <source>{0} s</source>
        <translation>{0} s</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="37"/>
        <location filename="../../ui/supervisor/wallboard.py" line="273"/>
        <source>{0} min {1:02d} s</source>
        <translation>{0} min {1:02d} s</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="46"/>
        <location filename="../../ui/supervisor/wallboard_model.py" line="51"/>
        <location filename="../../ui/supervisor/wallboard.py" line="272"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="48"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="49"/>
        <source>Busy</source>
        <translation>Busy</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="50"/>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="66"/>
        <source>queue</source>
        <translation>queue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="67"/>
        <source>{0} · {1} · {2}</source>
        <translation>{0} · {1} · {2}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="158"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="159"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="160"/>
        <source>Chats / cap</source>
        <translation>Chats / cap</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="161"/>
        <source>3-min rate</source>
        <translation>3-min rate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="162"/>
        <source>First response</source>
        <translation>First response</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="163"/>
        <source>Avg reply</source>
        <translation>Avg reply</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="164"/>
        <source>Calls connected / invited</source>
        <translation>Calls connected / invited</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="165"/>
        <location filename="../../ui/supervisor/wallboard.py" line="253"/>
        <source>Complaints</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="166"/>
        <source>CSAT</source>
        <translation>CSAT</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="187"/>
        <source>{0} (supervisor)</source>
        <translation>{0} (supervisor)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="245"/>
        <source>Queue</source>
        <translation>Queue</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="246"/>
        <source>Longest wait</source>
        <translation>Longest wait</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="247"/>
        <source>Near 3 min</source>
        <translation>Near 3 min</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="248"/>
        <source>Past 3 min</source>
        <translation>Past 3 min</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="249"/>
        <source>3-minute reply rate</source>
        <translation>3-minute reply rate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="250"/>
        <source>PDD-style reply rate</source>
        <translation>PDD-style reply rate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="251"/>
        <source>First response (mean)</source>
        <translation>First response (mean)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="252"/>
        <source>Video connect rate</source>
        <translation>Video connect rate</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="254"/>
        <source>Satisfaction (CSAT)</source>
        <translation>Satisfaction (CSAT)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="255"/>
        <source>Abandoned chats</source>
        <translation>Abandoned chats</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="256"/>
        <source>Transfers</source>
        <translation>Transfers</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="260"/>
        <location filename="../../ui/supervisor/wallboard.py" line="351"/>
        <source>Days shown:</source>
        <translation>Days shown:</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="261"/>
        <source>Chats waiting for a reply</source>
        <translation>Chats waiting for a reply</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/wallboard.py" line="294"/>
        <source>%n agent(s) online</source>
        <translation>
            <numerusform>%n agent online</numerusform>
            <numerusform>%n agents online</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/wallboard.py" line="294"/>
        <source>%n chat(s) open</source>
        <translation>
            <numerusform>%n chat open</numerusform>
            <numerusform>%n chats open</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="297"/>
        <source>waiting 100-180 s</source>
        <translation>waiting 100-180 s</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="298"/>
        <source>waiting 180 s or more</source>
        <translation>waiting 180 s or more</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="301"/>
        <source>{0} of {1} rounds on time · bar 80%</source>
        <translation>{0} of {1} rounds on time · bar 80%</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="306"/>
        <source>{0} of {1} buyers answered on time</source>
        <translation>{0} of {1} buyers answered on time</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="310"/>
        <source>median {0} · p90 {1}</source>
        <translation>median {0} · p90 {1}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="314"/>
        <source>{0} connected of {1} invited, {2} accepted</source>
        <translation>{0} connected of {1} invited, {2} accepted</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="320"/>
        <source>{0} per 100 calls</source>
        <translation>{0} per 100 calls</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="323"/>
        <source>{0} of {1} ratings are 4-5 stars</source>
        <translation>{0} of {1} ratings are 4-5 stars</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="325"/>
        <source>{0} chats today</source>
        <translation>{0} chats today</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="326"/>
        <source>{0} taken over</source>
        <translation>{0} taken over</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="333"/>
        <source>Today {0}, shop time ({1}) · live</source>
        <translation>Today {0}, shop time ({1}) · live</translation>
    </message>
</context>
</TS>
