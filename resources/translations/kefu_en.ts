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
        <location filename="../../ui/attention.py" line="103"/>
        <source>New chat</source>
        <translation>New chat</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="103"/>
        <source>{0} is waiting for you</source>
        <translation>{0} is waiting for you</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>Reply soon</source>
        <translation>Reply soon</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>Reply overdue</source>
        <translation>Reply overdue</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="108"/>
        <source>{0} has waited 100 s</source>
        <translation>{0} has waited 100 s</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="109"/>
        <source>{0} has waited more than 3 minutes</source>
        <translation>{0} has waited more than 3 minutes</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <location filename="../../ui/call_window.py" line="185"/>
        <source>Video call · {0}</source>
        <translation>Video call · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="187"/>
        <source>Show:</source>
        <translation>Show:</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <location filename="../../ui/call_window.py" line="293"/>
        <source>Unmute</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <location filename="../../ui/call_window.py" line="293"/>
        <source>Mute</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <source>Hang up</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="190"/>
        <source>Your video</source>
        <translation>Your video</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="196"/>
        <source>Test pattern</source>
        <translation>Test pattern</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="198"/>
        <source>My screen</source>
        <translation>My screen</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="200"/>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="203"/>
        <source>A window</source>
        <translation>A window</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>Product video: {0}</source>
        <translation>Product video: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="203"/>
        <source>Window: {0}</source>
        <translation>Window: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="230"/>
        <source>The call has ended</source>
        <translation>The call has ended</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="232"/>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="232"/>
        <location filename="../../ui/call_window.py" line="234"/>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="236"/>
        <source>Waiting for the buyer…</source>
        <translation>Waiting for the buyer…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="238"/>
        <source>audio only</source>
        <translation>audio only</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="240"/>
        <source>{0} can no longer be shown; the buyer sees the test pattern</source>
        <translation>{0} can no longer be shown; the buyer sees the test pattern</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="244"/>
        <source>The buyer chose audio only</source>
        <translation>The buyer chose audio only</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="246"/>
        <source>The buyer&apos;s camera is off</source>
        <translation>The buyer&apos;s camera is off</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/call_window.py" line="250"/>
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
        <location filename="../../ui/chat_view.py" line="58"/>
        <source>Return and refund</source>
        <translation>Return and refund</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="59"/>
        <source>Refund only</source>
        <translation>Refund only</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="60"/>
        <source>Compensation coupon</source>
        <translation>Compensation coupon</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="67"/>
        <source>Waiting for the buyer</source>
        <translation>Waiting for the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="68"/>
        <source>Accepted by the buyer</source>
        <translation>Accepted by the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="69"/>
        <source>Declined by the buyer</source>
        <translation>Declined by the buyer</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="70"/>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="71"/>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="89"/>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="91"/>
        <location filename="../../ui/chat_view.py" line="97"/>
        <source>Order {0}</source>
        <translation>Order {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="94"/>
        <source>Video explanation invitation</source>
        <translation>Video explanation invitation</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="95"/>
        <source>From {0}</source>
        <translation>From {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="96"/>
        <source>After-sales offer: {0}</source>
        <translation>After-sales offer: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="422"/>
        <source>Not sent — click to retry</source>
        <translation>Not sent — click to retry</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="424"/>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="426"/>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="427"/>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="451"/>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="453"/>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="535"/>
        <source>Copy text</source>
        <translation>Copy text</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="537"/>
        <source>Retry sending</source>
        <translation>Retry sending</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</source>
        <translation>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="128"/>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="129"/>
        <source>Quick replies (Ctrl+/)</source>
        <translation>Quick replies (Ctrl+/)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="130"/>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="131"/>
        <source>Card</source>
        <translation>Card</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="132"/>
        <source>Send a product or order card</source>
        <translation>Send a product or order card</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="133"/>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="166"/>
        <source>No template matches “{0}”</source>
        <translation>No template matches “{0}”</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="188"/>
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
        <location filename="../../ui/conversation_panel.py" line="144"/>
        <source>Transfer</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="145"/>
        <source>Hand this chat to a colleague (Ctrl+T)</source>
        <translation>Hand this chat to a colleague (Ctrl+T)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="146"/>
        <source>Resolve</source>
        <translation>Resolve</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="147"/>
        <source>Close this chat as handled (Ctrl+Shift+R)</source>
        <translation>Close this chat as handled (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="148"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Show the installation steps</source>
        <translation>Show the installation steps</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Look at a problem with the product</source>
        <translation>Look at a problem with the product</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="151"/>
        <source>Explain the product&apos;s features</source>
        <translation>Explain the product&apos;s features</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="204"/>
        <source>No conversation selected</source>
        <translation>No conversation selected</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="205"/>
        <source>Chats assigned to you appear on the left.</source>
        <translation>Chats assigned to you appear on the left.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="207"/>
        <source>Conversation {0}</source>
        <translation>Conversation {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="208"/>
        <source>From the local history (read only)</source>
        <translation>From the local history (read only)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="211"/>
        <source>nobody</source>
        <translation>nobody</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Served by {0}</source>
        <translation>Served by {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="214"/>
        <source>Note from the previous agent: {0}</source>
        <translation>Note from the previous agent: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="222"/>
        <source>This chat is not assigned to you.</source>
        <translation>This chat is not assigned to you.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="236"/>
        <source>No reply for over 3 minutes ({0})</source>
        <translation>No reply for over 3 minutes ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="238"/>
        <source>Reply soon: {0} left to the 3-minute mark</source>
        <translation>Reply soon: {0} left to the 3-minute mark</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="240"/>
        <source>Waiting for a reply · {0}</source>
        <translation>Waiting for a reply · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="324"/>
        <source>Only the agent this chat is assigned to can invite the buyer.</source>
        <translation>Only the agent this chat is assigned to can invite the buyer.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="326"/>
        <source>Not connected to the relay.</source>
        <translation>Not connected to the relay.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="342"/>
        <source>Ringing… (withdraw)</source>
        <translation>Ringing… (withdraw)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="343"/>
        <source>Waiting for the buyer to answer; click to withdraw the invitation.</source>
        <translation>Waiting for the buyer to answer; click to withdraw the invitation.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="346"/>
        <source>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</source>
        <translation>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="349"/>
        <source>Delivered: the buyer sees the invitation.</source>
        <translation>Delivered: the buyer sees the invitation.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="353"/>
        <source>In a call</source>
        <translation>In a call</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="354"/>
        <source>Show the call window</source>
        <translation>Show the call window</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="360"/>
        <location filename="../../ui/conversation_panel.py" line="367"/>
        <source>Video call</source>
        <translation>Video call</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="368"/>
        <source>Invite the buyer to a video explanation (the buyer accepts or declines)</source>
        <translation>Invite the buyer to a video explanation (the buyer accepts or declines)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="442"/>
        <source>Order {0} · {1}</source>
        <translation>Order {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="443"/>
        <source>[Order] {0}</source>
        <translation>[Order] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="445"/>
        <source>This buyer has no orders in the shop</source>
        <translation>This buyer has no orders in the shop</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="472"/>
        <source>Export conversation</source>
        <translation>Export conversation</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="473"/>
        <source>Text (*.txt);;CSV (*.csv)</source>
        <translation>Text (*.txt);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="485"/>
        <source>Exported {0} messages to {1}</source>
        <translation>Exported {0} messages to {1}</translation>
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
        <source>Not connected to the relay; try again when the connection is back.</source>
        <translation>Not connected to the relay; try again when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="113"/>
        <source>This picture source cannot be used on this computer.</source>
        <translation>This picture source cannot be used on this computer.</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="114"/>
        <source>Something went wrong: {0}</source>
        <translation>Something went wrong: {0}</translation>
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
        <location filename="../../ui/login_dialog.py" line="90"/>
        <source>Kefu Desk · Log in</source>
        <translation>Kefu Desk · Log in</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="91"/>
        <source>Kefu Desk · customer service workstation</source>
        <translation>Kefu Desk · customer service workstation</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Relay</source>
        <translation>Relay</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Shop</source>
        <translation>Shop</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="93"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="95"/>
        <source>Remember me on this computer</source>
        <translation>Remember me on this computer</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="98"/>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="107"/>
        <source>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</source>
        <translation>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="115"/>
        <source>Please fill in every field.</source>
        <translation>Please fill in every field.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="117"/>
        <source>Logging in…</source>
        <translation>Logging in…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="138"/>
        <source>Wrong shop, account or password.</source>
        <translation>Wrong shop, account or password.</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="140"/>
        <source>Cannot reach the relay. Check the address and your network.</source>
        <translation>Cannot reach the relay. Check the address and your network.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="232"/>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="232"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="233"/>
        <source>Kefu Desk · {0}</source>
        <translation>Kefu Desk · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Busy</source>
        <translation>Busy</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Away</source>
        <translation>Away</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="240"/>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="241"/>
        <source>Search the history (Ctrl+F)</source>
        <translation>Search the history (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="242"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="243"/>
        <source>Shortcuts</source>
        <translation>Shortcuts</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="244"/>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="280"/>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="283"/>
        <source>Your login is no longer valid; please log in again.</source>
        <translation>Your login is no longer valid; please log in again.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="298"/>
        <source>{0} declined the video call.</source>
        <translation>{0} declined the video call.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="300"/>
        <source>{0} did not answer the video call invitation.</source>
        <translation>{0} did not answer the video call invitation.</translation>
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
        <location filename="../../ui/main_window.py" line="82"/>
        <source>Reconnect now</source>
        <translation>Reconnect now</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="88"/>
        <source>Messages you type are kept and sent when the connection is back.</source>
        <translation>Messages you type are kept and sent when the connection is back.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="90"/>
        <source>Connecting to the relay…</source>
        <translation>Connecting to the relay…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="92"/>
        <source>The relay is unreachable; retrying in {0} s.</source>
        <translation>The relay is unreachable; retrying in {0} s.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="95"/>
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
        <location filename="../../ui/settings_dialog.py" line="47"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="48"/>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="51"/>
        <source>Follow the system</source>
        <translation>Follow the system</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="55"/>
        <source>Notify me of new chats</source>
        <translation>Notify me of new chats</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="56"/>
        <source>Notify me when a buyer waits too long (100 s)</source>
        <translation>Notify me when a buyer waits too long (100 s)</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="57"/>
        <source>Play a sound with notifications</source>
        <translation>Play a sound with notifications</translation>
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
        <location filename="../../ui/transfer_dialog.py" line="33"/>
        <source>Transfer {0}</source>
        <translation>Transfer {0}</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>busy</source>
        <translation>busy</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>away</source>
        <translation>away</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="38"/>
        <source>Back to the queue (the next free agent takes it)</source>
        <translation>Back to the queue (the next free agent takes it)</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="45"/>
        <source>{0} · {1} · {2}/{3} chats</source>
        <translation>{0} · {1} · {2}/{3} chats</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="51"/>
        <source>Only an online agent with room can take the chat</source>
        <translation>Only an online agent with room can take the chat</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="57"/>
        <source>Note for the next agent (what the buyer needs, what you tried)</source>
        <translation>Note for the next agent (what the buyer needs, what you tried)</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="63"/>
        <source>Transfer to:</source>
        <translation>Transfer to:</translation>
    </message>
</context>
</TS>
