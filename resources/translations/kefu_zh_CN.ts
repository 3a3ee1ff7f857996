<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttentionCenter</name>
    <message numerus="yes">
        <location filename="../../ui/attention.py" line="96"/>
        <source>Kefu Desk · %n unread</source>
        <translation>
            <numerusform>客服工作台 · %n 条未读</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="103"/>
        <source>New chat</source>
        <translation>新会话</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="103"/>
        <source>{0} is waiting for you</source>
        <translation>{0} 正在等待您接待</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>Reply soon</source>
        <translation>请尽快回复</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>Reply overdue</source>
        <translation>回复已超时</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="108"/>
        <source>{0} has waited 100 s</source>
        <translation>{0} 已等待 100 秒</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="109"/>
        <source>{0} has waited more than 3 minutes</source>
        <translation>{0} 已等待超过 3 分钟</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <location filename="../../ui/call_window.py" line="185"/>
        <source>Video call · {0}</source>
        <translation>视频讲解 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="187"/>
        <source>Show:</source>
        <translation>展示：</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <location filename="../../ui/call_window.py" line="293"/>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <location filename="../../ui/call_window.py" line="293"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <source>Hang up</source>
        <translation>挂断</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="190"/>
        <source>Your video</source>
        <translation>我的画面</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="196"/>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="198"/>
        <source>My screen</source>
        <translation>我的屏幕</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="200"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="203"/>
        <source>A window</source>
        <translation>一个窗口</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>Product video: {0}</source>
        <translation>商品视频：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="203"/>
        <source>Window: {0}</source>
        <translation>窗口：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="230"/>
        <source>The call has ended</source>
        <translation>通话已结束</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="232"/>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="232"/>
        <location filename="../../ui/call_window.py" line="234"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="236"/>
        <source>Waiting for the buyer…</source>
        <translation>正在等待买家…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="238"/>
        <source>audio only</source>
        <translation>仅语音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="240"/>
        <source>{0} can no longer be shown; the buyer sees the test pattern</source>
        <translation>{0}已无法显示，买家现在看到的是测试画面</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="244"/>
        <source>The buyer chose audio only</source>
        <translation>买家选择了仅语音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="246"/>
        <source>The buyer&apos;s camera is off</source>
        <translation>买家未开启摄像头</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/call_window.py" line="250"/>
        <source>The call will be ended at the shop&apos;s limit in %n minute(s).</source>
        <translation>
            <numerusform>通话将在 %n 分钟后达到店铺时长上限并自动结束。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/chat_view.py" line="58"/>
        <source>Return and refund</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="59"/>
        <source>Refund only</source>
        <translation>仅退款</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="60"/>
        <source>Compensation coupon</source>
        <translation>补偿优惠券</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="67"/>
        <source>Waiting for the buyer</source>
        <translation>等待买家确认</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="68"/>
        <source>Accepted by the buyer</source>
        <translation>买家已接受</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="69"/>
        <source>Declined by the buyer</source>
        <translation>买家已拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="70"/>
        <source>Open</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="71"/>
        <source>Closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="89"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="91"/>
        <location filename="../../ui/chat_view.py" line="97"/>
        <source>Order {0}</source>
        <translation>订单 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="94"/>
        <source>Video explanation invitation</source>
        <translation>视频讲解邀请</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="95"/>
        <source>From {0}</source>
        <translation>邀请人：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="96"/>
        <source>After-sales offer: {0}</source>
        <translation>售后方案：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="422"/>
        <source>Not sent — click to retry</source>
        <translation>发送失败 — 点击重试</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="424"/>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="426"/>
        <source>Read</source>
        <translation>已读</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="427"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="451"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="453"/>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="535"/>
        <source>Copy text</source>
        <translation>复制文字</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="537"/>
        <source>Retry sending</source>
        <translation>重新发送</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</source>
        <translation>输入回复 · Enter 发送 · Shift+Enter 换行 · 输入 / 调出快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="128"/>
        <source>Templates</source>
        <translation>快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="129"/>
        <source>Quick replies (Ctrl+/)</source>
        <translation>快捷短语（Ctrl+/）</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="130"/>
        <source>Emoji</source>
        <translation>表情</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="131"/>
        <source>Card</source>
        <translation>卡片</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="132"/>
        <source>Send a product or order card</source>
        <translation>发送商品或订单卡片</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="133"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="166"/>
        <source>No template matches “{0}”</source>
        <translation>没有与“{0}”匹配的快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="188"/>
        <source>No value for {0}: please fill it in</source>
        <translation>{0} 没有可填的值，请手动填写</translation>
    </message>
</context>
<context>
    <name>ContextPanel</name>
    <message>
        <location filename="../../ui/context_panel.py" line="153"/>
        <source>Loading the buyer&apos;s orders…</source>
        <translation>正在加载买家订单…</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="166"/>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="167"/>
        <source>Choose a conversation to see the buyer&apos;s orders.</source>
        <translation>选择一个会话查看买家的订单。</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="169"/>
        <source> · VIP</source>
        <translation> · 会员</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/context_panel.py" line="171"/>
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n 个订单</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/context_panel.py" line="172"/>
        <source>%n after-sales case(s)</source>
        <translation>
            <numerusform>%n 个售后</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="174"/>
        <source>After-sales</source>
        <translation>售后</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="179"/>
        <source>Order {0} · {1}</source>
        <translation>订单 {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="180"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="182"/>
        <source>No orders in this shop.</source>
        <translation>该买家在本店没有订单。</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="202"/>
        <source>Send card</source>
        <translation>发送卡片</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="205"/>
        <source>[Order] {0}</source>
        <translation>[订单] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="208"/>
        <source>Product card</source>
        <translation>商品卡片</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="212"/>
        <source>[Product] {0}</source>
        <translation>[商品] {0}</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <location filename="../../ui/conversation_panel.py" line="144"/>
        <source>Transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="145"/>
        <source>Hand this chat to a colleague (Ctrl+T)</source>
        <translation>把会话转给同事（Ctrl+T）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="146"/>
        <source>Resolve</source>
        <translation>结束会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="147"/>
        <source>Close this chat as handled (Ctrl+Shift+R)</source>
        <translation>标记为已解决并结束（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="148"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Show the installation steps</source>
        <translation>演示安装步骤</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Look at a problem with the product</source>
        <translation>查看商品问题</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="151"/>
        <source>Explain the product&apos;s features</source>
        <translation>讲解产品功能</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="204"/>
        <source>No conversation selected</source>
        <translation>未选择会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="205"/>
        <source>Chats assigned to you appear on the left.</source>
        <translation>分配给您的会话显示在左侧。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="207"/>
        <source>Conversation {0}</source>
        <translation>会话 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="208"/>
        <source>From the local history (read only)</source>
        <translation>本地历史记录（只读）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="211"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Served by {0}</source>
        <translation>接待客服：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="214"/>
        <source>Note from the previous agent: {0}</source>
        <translation>上一位客服的备注：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="222"/>
        <source>This chat is not assigned to you.</source>
        <translation>该会话未分配给您。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="236"/>
        <source>No reply for over 3 minutes ({0})</source>
        <translation>超过 3 分钟未回复（{0}）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="238"/>
        <source>Reply soon: {0} left to the 3-minute mark</source>
        <translation>请尽快回复：距 3 分钟还剩 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="240"/>
        <source>Waiting for a reply · {0}</source>
        <translation>买家等待回复 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="324"/>
        <source>Only the agent this chat is assigned to can invite the buyer.</source>
        <translation>只有负责此会话的客服可以邀请买家。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="326"/>
        <source>Not connected to the relay.</source>
        <translation>未连接到服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="342"/>
        <source>Ringing… (withdraw)</source>
        <translation>呼叫中…（撤回）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="343"/>
        <source>Waiting for the buyer to answer; click to withdraw the invitation.</source>
        <translation>正在等待买家回应；点击可撤回邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="346"/>
        <source>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</source>
        <translation>尚未送达：买家的页面没有打开。买家在邀请过期前回来即可看到。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="349"/>
        <source>Delivered: the buyer sees the invitation.</source>
        <translation>已送达：买家能看到这条邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="353"/>
        <source>In a call</source>
        <translation>通话中</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="354"/>
        <source>Show the call window</source>
        <translation>显示通话窗口</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="360"/>
        <location filename="../../ui/conversation_panel.py" line="367"/>
        <source>Video call</source>
        <translation>视频讲解</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="368"/>
        <source>Invite the buyer to a video explanation (the buyer accepts or declines)</source>
        <translation>邀请买家进行视频讲解（由买家决定接受或拒绝）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="442"/>
        <source>Order {0} · {1}</source>
        <translation>订单 {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="443"/>
        <source>[Order] {0}</source>
        <translation>[订单] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="445"/>
        <source>This buyer has no orders in the shop</source>
        <translation>该买家在本店没有订单</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="472"/>
        <source>Export conversation</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="473"/>
        <source>Text (*.txt);;CSV (*.csv)</source>
        <translation>文本 (*.txt);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="485"/>
        <source>Exported {0} messages to {1}</source>
        <translation>已导出 {0} 条消息到 {1}</translation>
    </message>
</context>
<context>
    <name>ErrorTexts</name>
    <message>
        <location filename="../../ui/errors.py" line="31"/>
        <source>Another agent took this chat first.</source>
        <translation>另一位客服已先接入此会话。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="32"/>
        <source>Set your status to online before taking chats.</source>
        <translation>请先把状态设为在线，再接入会话。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="33"/>
        <source>You already have as many chats as your maximum; finish one first.</source>
        <translation>您接待的会话已达上限，请先结束一个。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="34"/>
        <source>This chat is not with any agent now.</source>
        <translation>此会话当前没有分配给任何客服。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="35"/>
        <source>The chat is already with that agent.</source>
        <translation>此会话已经在该客服那里。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="36"/>
        <source>That agent is offline; choose another one or the queue.</source>
        <translation>该客服已离线，请选择其他客服或转回队列。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="37"/>
        <source>That agent has as many chats as their maximum; choose another.</source>
        <translation>该客服接待的会话已达上限，请选择其他客服。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="38"/>
        <source>The order is not paid yet: there is nothing to refund.</source>
        <translation>订单尚未付款，无可退款项。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="39"/>
        <source>The buyer has already answered this offer.</source>
        <translation>买家已经回复过此方案。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="40"/>
        <source>This message clashes with one already sent; write it again.</source>
        <translation>此消息与已发送的消息冲突，请重新输入。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="41"/>
        <source>You have the most personal templates allowed; delete one first.</source>
        <translation>个人模板数量已达上限，请先删除一条。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="42"/>
        <source>This chat has been rated already.</source>
        <translation>这个会话已经评价过了。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="43"/>
        <source>Only a resolved chat can be rated.</source>
        <translation>只有已解决的会话才能评价。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="50"/>
        <source>Video calls are switched off for this shop.</source>
        <translation>本店已关闭视频邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="52"/>
        <source>The buyer has not written in this chat: only a buyer who started a chat can be invited.</source>
        <translation>买家还没有在此会话中发言：只能邀请主动咨询的买家。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="54"/>
        <source>The chat has been quiet for too long; invite once the buyer writes again.</source>
        <translation>会话已沉默太久，请在买家再次发言后邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="56"/>
        <source>This buyer has had today&apos;s invitations already; try again tomorrow.</source>
        <translation>今天对该买家的邀请次数已用完，请明天再试。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/errors.py" line="59"/>
        <source>The buyer declined a moment ago; you can invite again in %n minute(s).</source>
        <translation>
            <numerusform>买家刚刚拒绝了邀请，%n 分钟后可再次邀请。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="61"/>
        <source>The buyer chose not to receive video invitations from this shop.</source>
        <translation>买家已选择不再接收本店的视频邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="63"/>
        <source>A video call is already being set up or running.</source>
        <translation>已有一个视频通话正在建立或进行中。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="65"/>
        <source>The call has already ended or changed; nothing was done.</source>
        <translation>通话已结束或状态已变化，未执行任何操作。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="71"/>
        <source>Not possible any more: the chat changed meanwhile.</source>
        <translation>无法完成：会话状态已发生变化。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="79"/>
        <source>The relay could not read what this workstation sent (a fault in the workstation); update the workstation.</source>
        <translation>服务器无法读取此工作台发送的内容（工作台程序有误），请更新工作台。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="82"/>
        <source>The relay does not know a request this workstation sent (a fault in the workstation); update the workstation.</source>
        <translation>服务器不认识此工作台发送的请求（工作台程序有误），请更新工作台。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="85"/>
        <source>The relay did not accept this: something in it is missing, too long or not allowed.</source>
        <translation>服务器未接受此操作：其中有内容缺失、过长或不被允许。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="89"/>
        <source>You are not allowed to do this (the chat may be with another agent now).</source>
        <translation>您无权执行此操作（会话可能已转给其他客服）。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="90"/>
        <source>It no longer exists, or it is not visible to you.</source>
        <translation>该内容已不存在，或您无权查看。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="87"/>
        <source>Too fast; wait a moment and try again.</source>
        <translation>操作太快，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="76"/>
        <source>Too many failed attempts. Try again in {0} s.</source>
        <translation>失败次数过多，请 {0} 秒后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="88"/>
        <source>Your session has ended; log in again.</source>
        <translation>登录已失效，请重新登录。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="95"/>
        <source>The relay is restarting; reconnecting.</source>
        <translation>服务器正在重启，正在重新连接。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="86"/>
        <source>Too long to send; shorten it.</source>
        <translation>内容过长，请缩短后再发送。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="92"/>
        <source>The relay does not accept connections from this workstation; ask your administrator.</source>
        <translation>服务器不接受来自此工作台的连接，请联系管理员。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="93"/>
        <source>This workstation is too old for the relay; update it.</source>
        <translation>工作台版本过旧，请更新。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="94"/>
        <source>The connection could not keep up with the relay; reconnecting.</source>
        <translation>连接跟不上服务器的速度，正在重新连接。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="98"/>
        <source>The relay cannot save anything right now; try again in a moment.</source>
        <translation>服务器暂时无法保存，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="99"/>
        <source>The relay had a problem; try again.</source>
        <translation>服务器出现问题，请重试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="104"/>
        <source>The relay refused this ({0}).</source>
        <translation>服务器拒绝了此操作（{0}）。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="109"/>
        <source>Not connected to the relay; try again when the connection is back.</source>
        <translation>未连接服务器，请在连接恢复后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="113"/>
        <source>This picture source cannot be used on this computer.</source>
        <translation>此电脑无法使用该画面来源。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="114"/>
        <source>Something went wrong: {0}</source>
        <translation>出错了：{0}</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../ui/help_dialog.py" line="45"/>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="46"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="46"/>
        <source>Action</source>
        <translation>功能</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="48"/>
        <source>Next chat with unread messages</source>
        <translation>下一个有未读消息的会话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="49"/>
        <source>Quick reply templates</source>
        <translation>快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="50"/>
        <source>Search the history</source>
        <translation>搜索聊天记录</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="51"/>
        <source>Transfer the chat</source>
        <translation>转接会话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="52"/>
        <source>Resolve the chat</source>
        <translation>结束会话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="53"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="54"/>
        <source>New line</source>
        <translation>换行</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialog.py" line="55"/>
        <source>This help</source>
        <translation>本帮助</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login_dialog.py" line="90"/>
        <source>Kefu Desk · Log in</source>
        <translation>客服工作台 · 登录</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="91"/>
        <source>Kefu Desk · customer service workstation</source>
        <translation>客服工作台 · 买家咨询一站处理</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Relay</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="92"/>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="93"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="95"/>
        <source>Remember me on this computer</source>
        <translation>在这台电脑上记住我</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="98"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="107"/>
        <source>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</source>
        <translation>这台电脑没有可用的密钥环，登录凭证只保存在内存中，程序退出后需要重新登录。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="115"/>
        <source>Please fill in every field.</source>
        <translation>请填写所有字段。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="117"/>
        <source>Logging in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="138"/>
        <source>Wrong shop, account or password.</source>
        <translation>店铺、账号或密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="140"/>
        <source>Cannot reach the relay. Check the address and your network.</source>
        <translation>无法连接服务器，请检查地址和网络。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="232"/>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="232"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="233"/>
        <source>Kefu Desk · {0}</source>
        <translation>客服工作台 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="235"/>
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="240"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="241"/>
        <source>Search the history (Ctrl+F)</source>
        <translation>搜索聊天记录（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="242"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="243"/>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="244"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="280"/>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="283"/>
        <source>Your login is no longer valid; please log in again.</source>
        <translation>登录已失效，请重新登录。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="298"/>
        <source>{0} declined the video call.</source>
        <translation>{0} 拒绝了视频通话。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="300"/>
        <source>{0} did not answer the video call invitation.</source>
        <translation>{0} 未回应视频通话邀请。</translation>
    </message>
</context>
<context>
    <name>OfferDialog</name>
    <message>
        <location filename="../../ui/context_panel.py" line="79"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="80"/>
        <source>Solution</source>
        <translation>方案</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="81"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="84"/>
        <source>Offer an after-sales solution</source>
        <translation>提供售后方案</translation>
    </message>
    <message>
        <location filename="../../ui/context_panel.py" line="107"/>
        <source>The amount must be between ¥0.01 and {0}</source>
        <translation>金额须在 ¥0.01 到 {0} 之间</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../../ui/main_window.py" line="82"/>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="88"/>
        <source>Messages you type are kept and sent when the connection is back.</source>
        <translation>您输入的消息会保留，连接恢复后自动发送。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="90"/>
        <source>Connecting to the relay…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="92"/>
        <source>The relay is unreachable; retrying in {0} s.</source>
        <translation>服务器无法连接，{0} 秒后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="95"/>
        <source>Disconnected from the relay.</source>
        <translation>与服务器的连接已断开。</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../ui/queue_panel.py" line="276"/>
        <location filename="../../ui/queue_panel.py" line="286"/>
        <source>My chats ({0})</source>
        <translation>我的会话（{0}）</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="277"/>
        <location filename="../../ui/queue_panel.py" line="290"/>
        <source>Waiting ({0})</source>
        <translation>排队中（{0}）</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="278"/>
        <source>Waiting</source>
        <translation>等待时长</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="279"/>
        <source>Claim</source>
        <translation>接入</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="297"/>
        <source>returned</source>
        <translation>回流</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="297"/>
        <source>after-sales</source>
        <translation>售后</translation>
    </message>
    <message>
        <location filename="../../ui/queue_panel.py" line="298"/>
        <source>high value</source>
        <translation>高价值</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../ui/search_dialog.py" line="59"/>
        <source>Search history</source>
        <translation>搜索聊天记录</translation>
    </message>
    <message>
        <location filename="../../ui/search_dialog.py" line="60"/>
        <source>Words from any message (one Chinese character is enough)</source>
        <translation>输入消息中的词语（一个汉字也可以）</translation>
    </message>
    <message>
        <location filename="../../ui/search_dialog.py" line="70"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/search_dialog.py" line="87"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n 条结果</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="47"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="48"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="51"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="55"/>
        <source>Notify me of new chats</source>
        <translation>新会话时通知我</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="56"/>
        <source>Notify me when a buyer waits too long (100 s)</source>
        <translation>买家等待过久（100 秒）时通知我</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="57"/>
        <source>Play a sound with notifications</source>
        <translation>通知时播放提示音</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <location filename="../../ui/template_picker.py" line="63"/>
        <source>↑↓ choose · Enter use · Esc close · type to filter (pinyin initials work)</source>
        <translation>↑↓ 选择 · Enter 使用 · Esc 关闭 · 输入可筛选（支持拼音首字母）</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="33"/>
        <source>Transfer {0}</source>
        <translation>转接 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="36"/>
        <source>away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="38"/>
        <source>Back to the queue (the next free agent takes it)</source>
        <translation>退回排队（由下一位空闲客服接待）</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="45"/>
        <source>{0} · {1} · {2}/{3} chats</source>
        <translation>{0} · {1} · {2}/{3} 个会话</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="51"/>
        <source>Only an online agent with room can take the chat</source>
        <translation>只能转给在线且未满的客服</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="57"/>
        <source>Note for the next agent (what the buyer needs, what you tried)</source>
        <translation>给下一位客服的备注（买家需求、已尝试的处理）</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="63"/>
        <source>Transfer to:</source>
        <translation>转接给：</translation>
    </message>
</context>
</TS>
