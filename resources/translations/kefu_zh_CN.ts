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
        <location filename="../../ui/attention.py" line="107"/>
        <source>New chat</source>
        <translation>新会话</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="107"/>
        <source>{0} is waiting for you</source>
        <translation>{0} 正在等待您接待</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="111"/>
        <source>Reply soon</source>
        <translation>请尽快回复</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="111"/>
        <source>Reply overdue</source>
        <translation>回复已超时</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="112"/>
        <source>{0} has waited 100 s</source>
        <translation>{0} 已等待 100 秒</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="113"/>
        <source>{0} has waited more than 3 minutes</source>
        <translation>{0} 已等待超过 3 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="125"/>
        <source>3-minute reply rate below the bar</source>
        <translation>3 分钟回复率低于达标线</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="126"/>
        <source>Today&apos;s rate is {0:.1f}%, under the platform&apos;s 80%</source>
        <translation>今日回复率 {0:.1f}%，低于平台要求的 80%</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="128"/>
        <source>Chat overdue</source>
        <translation>会话超时未回复</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="128"/>
        <source>{0} has waited more than 3 minutes for a reply</source>
        <translation>{0} 已等待回复超过 3 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="130"/>
        <source>New complaint</source>
        <translation>新投诉</translation>
    </message>
    <message>
        <location filename="../../ui/attention.py" line="130"/>
        <source>{0} complained about a video call</source>
        <translation>{0} 投诉了一次视频通话</translation>
    </message>
</context>
<context>
    <name>CallInvite</name>
    <message>
        <location filename="../../ui/call_invite.py" line="73"/>
        <source>Show the installation steps</source>
        <translation>演示安装步骤</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="73"/>
        <source>Look at a problem with the product</source>
        <translation>查看商品问题</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="74"/>
        <source>Explain the product&apos;s features</source>
        <translation>讲解产品功能</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="137"/>
        <source>Only the agent this chat is assigned to can invite the buyer.</source>
        <translation>只有负责此会话的客服可以邀请买家。</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="139"/>
        <source>Not connected to the relay.</source>
        <translation>未连接到服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="157"/>
        <source>Voice call</source>
        <translation>语音通话</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="160"/>
        <source>Ringing… (withdraw)</source>
        <translation>呼叫中…（撤回）</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="161"/>
        <source>Waiting for the buyer to answer; click to withdraw the invitation.</source>
        <translation>正在等待买家回应；点击可撤回邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="164"/>
        <source>Not delivered yet: the buyer&apos;s page is not open. It reaches them if they come back before it expires.</source>
        <translation>尚未送达：买家的页面没有打开。买家在邀请过期前回来即可看到。</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="167"/>
        <source>Delivered: the buyer sees the invitation.</source>
        <translation>已送达：买家能看到这条邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="171"/>
        <source>In a call</source>
        <translation>通话中</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="172"/>
        <source>Show the call window</source>
        <translation>显示通话窗口</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="178"/>
        <location filename="../../ui/call_invite.py" line="186"/>
        <source>Video call</source>
        <translation>视频讲解</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="187"/>
        <source>Invite the buyer to a video explanation (the buyer accepts or declines)</source>
        <translation>邀请买家进行视频讲解（由买家决定接受或拒绝）</translation>
    </message>
    <message>
        <location filename="../../ui/call_invite.py" line="188"/>
        <source>Invite the buyer to a voice call, without video (the buyer accepts or declines)</source>
        <translation>邀请买家进行语音通话，不开视频（由买家决定接受或拒绝）</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <location filename="../../ui/call_window.py" line="186"/>
        <source>Video call · {0}</source>
        <translation>视频讲解 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="188"/>
        <source>Show:</source>
        <translation>展示：</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <location filename="../../ui/call_window.py" line="296"/>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="189"/>
        <location filename="../../ui/call_window.py" line="296"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="190"/>
        <source>Hang up</source>
        <translation>挂断</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="191"/>
        <source>Your video</source>
        <translation>我的画面</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="197"/>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="199"/>
        <source>My screen</source>
        <translation>我的屏幕</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="201"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>A window</source>
        <translation>一个窗口</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="205"/>
        <source>Product video: {0}</source>
        <translation>商品视频：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="245"/>
        <source>Voice call: no video either way</source>
        <translation>语音通话：双方都不开视频</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="204"/>
        <source>Window: {0}</source>
        <translation>窗口：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="231"/>
        <source>The call has ended</source>
        <translation>通话已结束</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="233"/>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="233"/>
        <location filename="../../ui/call_window.py" line="235"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="237"/>
        <source>Waiting for the buyer…</source>
        <translation>正在等待买家…</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="239"/>
        <source>audio only</source>
        <translation>仅语音</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="241"/>
        <source>{0} can no longer be shown; the buyer sees the test pattern</source>
        <translation>{0}已无法显示，买家现在看到的是测试画面</translation>
    </message>
    <message>
        <location filename="../../ui/call_window.py" line="247"/>
        <source>The buyer&apos;s camera is off</source>
        <translation>买家未开启摄像头</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/call_window.py" line="253"/>
        <source>The call will be ended at the shop&apos;s limit in %n minute(s).</source>
        <translation>
            <numerusform>通话将在 %n 分钟后达到店铺时长上限并自动结束。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/chat_lines.py" line="28"/>
        <source>Return and refund</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="29"/>
        <source>Refund only</source>
        <translation>仅退款</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="30"/>
        <source>Compensation coupon</source>
        <translation>补偿优惠券</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="37"/>
        <source>Waiting for the buyer</source>
        <translation>等待买家确认</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="38"/>
        <source>Accepted by the buyer</source>
        <translation>买家已接受</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="39"/>
        <source>Declined by the buyer</source>
        <translation>买家已拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="40"/>
        <source>Open</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="41"/>
        <source>Closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="56"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="58"/>
        <location filename="../../ui/chat_lines.py" line="64"/>
        <source>Order {0}</source>
        <translation>订单 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="61"/>
        <source>Video explanation invitation</source>
        <translation>视频讲解邀请</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="62"/>
        <source>From {0}</source>
        <translation>邀请人：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="63"/>
        <source>After-sales offer: {0}</source>
        <translation>售后方案：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="100"/>
        <source>Whisper from {0} · staff only</source>
        <translation>{0} 的悄悄话 · 仅员工可见</translation>
    </message>
    <message>
        <location filename="../../ui/chat_lines.py" line="101"/>
        <source>Internal note · {0} · staff only</source>
        <translation>内部备注 · {0} · 仅员工可见</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="245"/>
        <source>Not sent — click to retry</source>
        <translation>发送失败 — 点击重试</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="247"/>
        <source>Sending…</source>
        <translation>发送中…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="249"/>
        <source>Read</source>
        <translation>已读</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="250"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="268"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../ui/chat_delegate.py" line="270"/>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="323"/>
        <source>Copy text</source>
        <translation>复制文字</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="325"/>
        <source>Retry sending</source>
        <translation>重新发送</translation>
    </message>
</context>
<context>
    <name>ComplaintsModel</name>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="137"/>
        <source>Did not ask for a call</source>
        <translation>未请求通话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="137"/>
        <source>Inappropriate</source>
        <translation>内容不当</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="138"/>
        <source>Sales pressure</source>
        <translation>强行推销</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="138"/>
        <source>Privacy</source>
        <translation>隐私问题</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="139"/>
        <source>Poor quality</source>
        <translation>通话质量差</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="139"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="146"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="147"/>
        <source>{0} min {1:02d} s</source>
        <translation>{0} 分 {1:02d} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="151"/>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="152"/>
        <source>Handled by {0} at {1}</source>
        <translation>已由 {0} 于 {1} 处理</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="152"/>
        <source>someone</source>
        <translation>某人</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="183"/>
        <source>Buyer&apos;s words</source>
        <translation>买家原话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>Call length</source>
        <translation>通话时长</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="184"/>
        <source>Handling note</source>
        <translation>处理备注</translation>
    </message>
</context>
<context>
    <name>ComplaintsPanel</name>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="346"/>
        <source>Open complaints</source>
        <translation>待处理投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="347"/>
        <source>All complaints</source>
        <translation>全部投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="349"/>
        <source>Complained at</source>
        <translation>投诉时间</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Buyer&apos;s words</source>
        <translation>买家原话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="350"/>
        <source>Invited at</source>
        <translation>邀请时间</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>Call length</source>
        <translation>通话时长</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>Call id</source>
        <translation>通话编号</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="351"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="352"/>
        <source>Handling note</source>
        <translation>处理备注</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="356"/>
        <source>What was done (the buyer never sees this)</source>
        <translation>处理情况（买家不会看到）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="357"/>
        <source>Open conversation</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="358"/>
        <location filename="../../ui/supervisor/complaints.py" line="450"/>
        <source>Mark handled</source>
        <translation>标记为已处理</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="359"/>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="374"/>
        <source>Loading complaints…</source>
        <translation>正在加载投诉…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/complaints.py" line="406"/>
        <source>%n complaint(s)</source>
        <translation>
            <numerusform>%n 条投诉</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/complaints.py" line="406"/>
        <source>%n open</source>
        <translation>
            <numerusform>%n 条待处理</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="450"/>
        <source>Save note</source>
        <translation>保存备注</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="454"/>
        <source>(no words)</source>
        <translation>（未留言）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="482"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="491"/>
        <source>Marked handled.</source>
        <translation>已标记为已处理。</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/complaints.py" line="491"/>
        <source>Open again.</source>
        <translation>已重新打开。</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="180"/>
        <source>Type a reply · Enter to send · Shift+Enter for a new line · / for templates</source>
        <translation>输入回复 · Enter 发送 · Shift+Enter 换行 · 输入 / 调出快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="145"/>
        <source>Templates</source>
        <translation>快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="146"/>
        <source>Quick replies (Ctrl+/)</source>
        <translation>快捷短语（Ctrl+/）</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="147"/>
        <source>Emoji</source>
        <translation>表情</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="148"/>
        <source>Card</source>
        <translation>卡片</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="149"/>
        <source>Send a product or order card</source>
        <translation>发送商品或订单卡片</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="150"/>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="151"/>
        <source>Write to the buyer</source>
        <translation>回复买家</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="152"/>
        <source>Internal note</source>
        <translation>内部备注</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="153"/>
        <source>Write a note only staff see; the buyer never sees it</source>
        <translation>写一条仅员工可见的备注，买家不会看到</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="176"/>
        <source>Internal note: only staff see it · Enter to save</source>
        <translation>内部备注：仅员工可见 · 回车保存</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="177"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="181"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="215"/>
        <source>No template matches “{0}”</source>
        <translation>没有与“{0}”匹配的快捷短语</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="243"/>
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
        <location filename="../../ui/conversation_panel.py" line="150"/>
        <source>Transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="151"/>
        <source>Hand this chat to a colleague (Ctrl+T)</source>
        <translation>把会话转给同事（Ctrl+T）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="152"/>
        <source>Resolve</source>
        <translation>结束会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="153"/>
        <source>Close this chat as handled (Ctrl+Shift+R)</source>
        <translation>标记为已解决并结束（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="154"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="209"/>
        <source>No conversation selected</source>
        <translation>未选择会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="210"/>
        <source>Chats assigned to you appear on the left.</source>
        <translation>分配给您的会话显示在左侧。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="212"/>
        <source>Conversation {0}</source>
        <translation>会话 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="213"/>
        <source>From the local history (read only)</source>
        <translation>本地历史记录（只读）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="216"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="217"/>
        <source>Served by {0}</source>
        <translation>接待客服：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="217"/>
        <source>Closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="219"/>
        <source>Note from the previous agent: {0}</source>
        <translation>上一位客服的备注：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="228"/>
        <source>This chat is not assigned to you.</source>
        <translation>该会话未分配给您。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="253"/>
        <source>No reply for over 3 minutes ({0})</source>
        <translation>超过 3 分钟未回复（{0}）</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="255"/>
        <source>Reply soon: {0} left to the 3-minute mark</source>
        <translation>请尽快回复：距 3 分钟还剩 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="257"/>
        <source>Waiting for a reply · {0}</source>
        <translation>买家等待回复 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="343"/>
        <source>Buyer&apos;s rating: {0}</source>
        <translation>买家评价：{0}</translation>
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
            <numerusform>%n 星（满分 5 星）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="386"/>
        <source>Order {0} · {1}</source>
        <translation>订单 {0} · {1}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="387"/>
        <source>[Order] {0}</source>
        <translation>[订单] {0}</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="389"/>
        <source>This buyer has no orders in the shop</source>
        <translation>该买家在本店没有订单</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="416"/>
        <source>Export conversation</source>
        <translation>导出会话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="417"/>
        <source>Text (*.txt);;CSV (*.csv)</source>
        <translation>文本 (*.txt);;CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_panel.py" line="429"/>
        <source>Exported {0} messages to {1}</source>
        <translation>已导出 {0} 条消息到 {1}</translation>
    </message>
</context>
<context>
    <name>DrillDialog</name>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="95"/>
        <source>Reply rounds</source>
        <translation>回复轮次</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="95"/>
        <source>Rounds answered late or not at all</source>
        <translation>超时回复或未回复的轮次</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="96"/>
        <source>First responses</source>
        <translation>首次响应</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="96"/>
        <source>Resolved chats</source>
        <translation>已解决的会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="97"/>
        <source>Abandoned chats</source>
        <translation>放弃的会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="97"/>
        <source>Reopened chats</source>
        <translation>重新打开的会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="98"/>
        <source>Transfers</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="98"/>
        <source>Video invitations</source>
        <translation>视频邀请</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="99"/>
        <source>Connected calls</source>
        <translation>已接通的通话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="99"/>
        <source>Declined invitations</source>
        <translation>被拒绝的邀请</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="100"/>
        <source>Expired invitations</source>
        <translation>已过期的邀请</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="100"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="101"/>
        <source>Ratings</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="101"/>
        <source>Ratings of 1-3 stars</source>
        <translation>1-3 星评价</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="105"/>
        <source>the whole shop</source>
        <translation>全店</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="106"/>
        <source>Behind the figure: {0}</source>
        <translation>指标明细：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="107"/>
        <source>{0} · {1} · {2} to {3}</source>
        <translation>{0} · {1} · {2} 至 {3}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="108"/>
        <source>What</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="109"/>
        <source>Seconds</source>
        <translation>秒数</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="110"/>
        <source>Open in chats</source>
        <translation>在会话中打开</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>on time</source>
        <translation>及时</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>late</source>
        <translation>超时</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="114"/>
        <source>unanswered</source>
        <translation>未回复</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>abandoned</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="115"/>
        <source>resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>rating</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>connected</source>
        <translation>已接通</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="116"/>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="117"/>
        <source>transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="118"/>
        <source>first response</source>
        <translation>首次响应</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="118"/>
        <source>reopened</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="119"/>
        <source>taken over</source>
        <translation>已接管</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="119"/>
        <source>back to the queue</source>
        <translation>退回队列</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>reassigned</source>
        <translation>已改派</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="120"/>
        <source>invited</source>
        <translation>已邀请</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="121"/>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="125"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="137"/>
        <source> (the newest {0}; narrow the range for the rest)</source>
        <translation>（仅显示最新 {0} 条；缩小范围以查看其余）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/drill.py" line="138"/>
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="148"/>
        <source>Internal note</source>
        <translation>内部备注</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/drill.py" line="148"/>
        <source>Whisper</source>
        <translation>悄悄话</translation>
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
        <source>it has expired</source>
        <translation>证书已过期</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="110"/>
        <source>it is not valid yet (check this computer&apos;s date and time)</source>
        <translation>证书尚未生效（请检查这台电脑的日期和时间）</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="111"/>
        <source>it was not issued by an authority this computer trusts</source>
        <translation>证书不是由这台电脑信任的机构签发的</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="112"/>
        <source>it was issued for another address</source>
        <translation>证书是为另一个地址签发的</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="114"/>
        <source>OpenSSL says: {0}</source>
        <translation>OpenSSL 的说明：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="116"/>
        <source>The relay&apos;s certificate could not be verified: {0}. Nothing was sent to it, not even your password. Check the relay address; if your shop runs its own relay, choose its CA file; otherwise tell your administrator.</source>
        <translation>无法验证中继服务器的证书：{0}。没有向它发送任何内容，包括您的密码。请检查中继地址；如果您的店铺自建中继，请选择它的 CA 文件；否则请联系管理员。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="125"/>
        <source>The CA file {0} cannot be used: it is missing, unreadable or holds no PEM certificate. Choose the file your administrator gave you, or clear the field.</source>
        <translation>无法使用 CA 文件 {0}：文件不存在、无法读取，或其中没有 PEM 证书。请选择管理员提供的文件，或清空此项。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="128"/>
        <source>Not connected to the relay; try again when the connection is back.</source>
        <translation>未连接服务器，请在连接恢复后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="132"/>
        <source>This picture source cannot be used on this computer.</source>
        <translation>此电脑无法使用该画面来源。</translation>
    </message>
    <message>
        <location filename="../../ui/errors.py" line="133"/>
        <source>Something went wrong: {0}</source>
        <translation>出错了：{0}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="156"/>
        <source>Export figures (CSV)</source>
        <translation>导出指标（CSV）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="157"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="158"/>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="160"/>
        <source>Days</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="161"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="162"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="163"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="164"/>
        <source>Choose where to save the CSV file</source>
        <translation>选择 CSV 文件的保存位置</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="165"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="166"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="171"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="171"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="205"/>
        <source>The last day is before the first.</source>
        <translation>结束日期早于开始日期。</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="207"/>
        <source>At most {0} days at a time; shorten the range.</source>
        <translation>一次最多 {0} 天，请缩短范围。</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="224"/>
        <source>Save the figures as</source>
        <translation>指标另存为</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="227"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="227"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="254"/>
        <source>Fetching the figures…</source>
        <translation>正在获取指标…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/export_dialog.py" line="263"/>
        <source>%n row(s) written to {0}.</source>
        <translation>
            <numerusform>已写入 %n 行到 {0}。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="269"/>
        <source>Writing the file…</source>
        <translation>正在写入文件…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="272"/>
        <source>Fetching the figures… {0} of {1} days</source>
        <translation>正在获取指标… 第 {0} / {1} 天</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/export_dialog.py" line="303"/>
        <source>Export cancelled; no file was written.</source>
        <translation>导出已取消，未写入文件。</translation>
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
        <location filename="../../ui/login_dialog.py" line="110"/>
        <source>Kefu Desk · Log in</source>
        <translation>客服工作台 · 登录</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="111"/>
        <source>Kefu Desk · customer service workstation</source>
        <translation>客服工作台 · 买家咨询一站处理</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Relay</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="112"/>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="113"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="115"/>
        <source>Remember me on this computer</source>
        <translation>在这台电脑上记住我</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="116"/>
        <source>CA file</source>
        <translation>CA 文件</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="117"/>
        <source>Optional: only for a self-hosted relay with its own certificate</source>
        <translation>可选：仅用于使用自有证书的自建中继</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="118"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="121"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="130"/>
        <source>This computer has no keyring, so your login is kept in memory only and you will be asked again after the program exits.</source>
        <translation>这台电脑没有可用的密钥环，登录凭证只保存在内存中，程序退出后需要重新登录。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="136"/>
        <source>Choose the relay&apos;s CA file</source>
        <translation>选择中继的 CA 文件</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="137"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="148"/>
        <source>Please fill in every field.</source>
        <translation>请填写所有字段。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="150"/>
        <source>Logging in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="172"/>
        <source>Wrong shop, account or password.</source>
        <translation>店铺、账号或密码错误。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="174"/>
        <source>Cannot reach the relay. Check the address and your network.</source>
        <translation>无法连接服务器，请检查地址和网络。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="249"/>
        <source>Kefu Desk · {0}</source>
        <translation>客服工作台 · {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="257"/>
        <source>Search the history (Ctrl+F)</source>
        <translation>搜索聊天记录（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="258"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="259"/>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="260"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="296"/>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="299"/>
        <source>Your login is no longer valid; please log in again.</source>
        <translation>登录已失效，请重新登录。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="314"/>
        <source>{0} declined the video call.</source>
        <translation>{0} 拒绝了视频通话。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="316"/>
        <source>{0} did not answer the video call invitation.</source>
        <translation>{0} 未回应视频通话邀请。</translation>
    </message>
</context>
<context>
    <name>MonitorBar</name>
    <message>
        <location filename="../../ui/monitor_bar.py" line="87"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="88"/>
        <source>An internal note on this chat, for staff only</source>
        <translation>为此会话添加内部备注，仅员工可见</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="89"/>
        <source>Take over</source>
        <translation>接管</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="90"/>
        <source>Answer the buyer yourself; the chat leaves its agent</source>
        <translation>亲自回复买家；会话将离开原客服</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="91"/>
        <source>Reassign…</source>
        <translation>改派…</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="92"/>
        <source>Give the chat to another agent or back to the queue</source>
        <translation>把会话交给其他客服或退回队列</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="105"/>
        <source>Monitoring — the buyer is not told.</source>
        <translation>监听中——买家不会收到提示。</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="107"/>
        <source>Waiting in the queue: nobody holds this chat yet.</source>
        <translation>排队中：尚无人接待此会话。</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="108"/>
        <source>Internal note (staff only)</source>
        <translation>内部备注（仅员工可见）</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="109"/>
        <source>Whisper</source>
        <translation>悄悄话</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="111"/>
        <source>{0} is serving this chat.</source>
        <translation>{0} 正在接待此会话。</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="112"/>
        <source>Whisper to {0} (the buyer never sees it)</source>
        <translation>对 {0} 说悄悄话（买家不会看到）</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="113"/>
        <source>Whisper to {0}</source>
        <translation>对 {0} 说悄悄话</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="115"/>
        <source>Nobody holds this chat to whisper to.</source>
        <translation>此会话无人接待，无法发送悄悄话。</translation>
    </message>
    <message>
        <location filename="../../ui/monitor_bar.py" line="167"/>
        <source>Reassign {0}</source>
        <translation>改派 {0}</translation>
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
        <location filename="../../ui/main_window.py" line="85"/>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="91"/>
        <source>Messages you type are kept and sent when the connection is back.</source>
        <translation>您输入的消息会保留，连接恢复后自动发送。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="96"/>
        <source>Connecting to the relay…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="99"/>
        <source>Checking again in {0} s.</source>
        <translation>{0} 秒后再检查一次。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="100"/>
        <source>The relay is unreachable; retrying in {0} s.</source>
        <translation>服务器无法连接，{0} 秒后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="102"/>
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
    <name>RateChart</name>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="62"/>
        <source>3-minute reply rate</source>
        <translation>3 分钟回复率</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="63"/>
        <source>Platform bar (80%)</source>
        <translation>平台达标线（80%）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="64"/>
        <source>Today by hour</source>
        <translation>今日分时</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/charts.py" line="64"/>
        <source>By day</source>
        <translation>按天</translation>
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
        <location filename="../../ui/settings_dialog.py" line="54"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="55"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="58"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="62"/>
        <source>Notify me of new chats</source>
        <translation>新会话时通知我</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="63"/>
        <source>Notify me when a buyer waits too long (100 s)</source>
        <translation>买家等待过久（100 秒）时通知我</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="64"/>
        <source>Play a sound with notifications</source>
        <translation>通知时播放提示音</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="65"/>
        <source>Alert me when the 3-minute rate drops below 80%, a chat is overdue or a buyer complains</source>
        <translation>3 分钟回复率低于 80%、会话超时或买家投诉时提醒我</translation>
    </message>
</context>
<context>
    <name>ShopActions</name>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="422"/>
        <source>Templates…</source>
        <translation>话术模板…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="423"/>
        <source>Edit the quick-reply templates</source>
        <translation>编辑快捷回复模板</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="424"/>
        <source>Shop settings…</source>
        <translation>店铺设置…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="425"/>
        <source>Agents&apos; caps, routing, service hours and video calls</source>
        <translation>客服接待上限、分配方式、服务时间和视频通话</translation>
    </message>
</context>
<context>
    <name>ShopSettingsDialog</name>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="188"/>
        <source>Automatic: new chats go to free agents</source>
        <translation>自动：新会话分配给空闲客服</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="189"/>
        <source>Manual: agents take chats from the queue</source>
        <translation>手动：客服从队列中领取会话</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="190"/>
        <source>Both: automatic, and agents may also take chats</source>
        <translation>两者：自动分配，客服也可主动领取</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="193"/>
        <source>Shop settings</source>
        <translation>店铺设置</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="194"/>
        <source>These settings are the shop&apos;s: they apply to every workstation at once.</source>
        <translation>这些是店铺设置：立即对所有工作台生效。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="195"/>
        <location filename="../../ui/shop_settings_dialog.py" line="319"/>
        <source>Only supervisors change the shop&apos;s settings.</source>
        <translation>只有主管可以修改店铺设置。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="196"/>
        <source>Agents: most chats at once</source>
        <translation>客服：同时接待上限</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="197"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="197"/>
        <source>Max chats</source>
        <translation>接待上限</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="198"/>
        <source>Routing and service hours</source>
        <translation>分配方式和服务时间</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="199"/>
        <location filename="../../ui/shop_settings_dialog.py" line="288"/>
        <source>Video calls</source>
        <translation>视频通话</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="200"/>
        <source>Recent changes</source>
        <translation>最近的修改</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>Who</source>
        <translation>修改人</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="201"/>
        <source>Setting</source>
        <translation>设置项</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="202"/>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Routing</source>
        <translation>分配方式</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <source>Service hours</source>
        <translation>服务时间</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="204"/>
        <location filename="../../ui/shop_settings_dialog.py" line="288"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="205"/>
        <location filename="../../ui/shop_settings_dialog.py" line="289"/>
        <source>Invitations per buyer a day</source>
        <translation>每位买家每天的邀请次数</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="205"/>
        <source>Pause after a decline (minutes)</source>
        <translation>被拒绝后的冷却时间（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="206"/>
        <source>Longest call (minutes)</source>
        <translation>最长通话时长（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="206"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="208"/>
        <source>Video calls switched on for the whole shop</source>
        <translation>全店开启视频通话</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="214"/>
        <source>Save changes</source>
        <translation>保存修改</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="261"/>
        <source>{0} changed the shop&apos;s settings just now; the fields you have not edited show the new values.</source>
        <translation>{0} 刚刚修改了店铺设置；您未编辑的字段已显示新值。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="284"/>
        <source>Max chats of {0}</source>
        <translation>{0} 的接待上限</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="286"/>
        <source>Shop template #{0}</source>
        <translation>店铺模板 #{0}</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Opens</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="287"/>
        <source>Closes</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="290"/>
        <source>Pause after a decline (s)</source>
        <translation>被拒绝后的冷却时间（秒）</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="291"/>
        <source>Longest call (s)</source>
        <translation>最长通话时长（秒）</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="292"/>
        <source>Order of the shop&apos;s templates</source>
        <translation>店铺模板顺序</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="297"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="299"/>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="299"/>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>manual</source>
        <translation>手动</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="301"/>
        <source>both</source>
        <translation>两者</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="320"/>
        <source>This agent is no longer in the shop; close and open the settings again.</source>
        <translation>该客服已不在本店；请关闭后重新打开设置。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="321"/>
        <source>An agent&apos;s maximum must be between {0} and {1} chats.</source>
        <translation>客服的接待上限必须在 {0} 到 {1} 个会话之间。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="322"/>
        <source>Choose how new chats are routed.</source>
        <translation>请选择新会话的分配方式。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="323"/>
        <source>Write the hours as HH:MM, e.g. 09:00 (24:00 closes at midnight).</source>
        <translation>请按 HH:MM 填写时间，例如 09:00（24:00 表示午夜结束）。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="324"/>
        <source>The shop must open before it closes (24:00 closes at midnight).</source>
        <translation>开始时间必须早于结束时间（24:00 表示午夜结束）。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="325"/>
        <source>Unknown time zone: use a name like Asia/Shanghai.</source>
        <translation>未知时区：请使用类似 Asia/Shanghai 的名称。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="326"/>
        <source>Invitations per buyer a day must be between {0} and {1}.</source>
        <translation>每位买家每天的邀请次数必须在 {0} 到 {1} 之间。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="327"/>
        <source>The pause after a decline must be between {0} and {1} seconds.</source>
        <translation>被拒绝后的冷却时间必须在 {0} 到 {1} 秒之间。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="328"/>
        <source>The longest call must be between {0} and {1} seconds.</source>
        <translation>最长通话时长必须在 {0} 到 {1} 秒之间。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="329"/>
        <source>The longest call must be longer than the warning before its end ({0} s).</source>
        <translation>最长通话时长必须长于结束前的提醒时间（{0} 秒）。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="360"/>
        <source>Nothing has changed.</source>
        <translation>没有任何修改。</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="362"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../ui/shop_settings_dialog.py" line="373"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>SupervisorWorkspace</name>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="57"/>
        <source>Chats</source>
        <translation>会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="58"/>
        <location filename="../../ui/supervisor/workspace.py" line="66"/>
        <source>Wallboard</source>
        <translation>数据看板</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="59"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="60"/>
        <source>Export figures…</source>
        <translation>导出指标…</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/workspace.py" line="61"/>
        <source>Write the shop&apos;s figures for a date range to a CSV file</source>
        <translation>把店铺某一日期范围的指标写入 CSV 文件</translation>
    </message>
</context>
<context>
    <name>SystemText</name>
    <message>
        <location filename="../../ui/system_text.py" line="31"/>
        <source>the buyer did not ask for a video call</source>
        <translation>买家没有要求视频通话</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="32"/>
        <source>inappropriate content</source>
        <translation>内容不当</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="33"/>
        <source>sales pressure</source>
        <translation>强行推销</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="34"/>
        <source>privacy</source>
        <translation>隐私问题</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="35"/>
        <source>poor call quality</source>
        <translation>通话质量差</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="36"/>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="47"/>
        <source>{0} min {1} s</source>
        <translation>{0} 分 {1} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="48"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="58"/>
        <source>The buyer rated this chat {0} of 5 stars: “{1}”</source>
        <translation>买家给本次会话评了 {0} 星（满分 5 星）：“{1}”</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="59"/>
        <source>The buyer rated this chat {0} of 5 stars.</source>
        <translation>买家给本次会话评了 {0} 星（满分 5 星）。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="63"/>
        <source>The buyer was welcomed to {0} and waits for an agent.</source>
        <translation>已向买家发送 {0} 的欢迎语，买家正在等待客服。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="65"/>
        <source>Outside service hours ({0}–{1}): the buyer was told an agent replies once back.</source>
        <translation>非服务时间（{0}–{1}）：已告知买家客服上班后回复。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="68"/>
        <source>{0} joined the chat.</source>
        <translation>{0} 加入了会话。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="69"/>
        <source>The chat was transferred to {0}.</source>
        <translation>会话已转接给 {0}。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="70"/>
        <source>Supervisor {0} took the chat over.</source>
        <translation>主管 {0} 接管了会话。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="71"/>
        <source>The chat went back to the queue; the buyer waits for an agent.</source>
        <translation>会话已退回队列，买家正在等待客服。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="72"/>
        <source>The chat was resolved.</source>
        <translation>会话已解决。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="73"/>
        <source>The chat closed by itself after a long silence.</source>
        <translation>会话长时间无消息，已自动关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="74"/>
        <source>The buyer left the queue; the chat was closed.</source>
        <translation>买家离开了队列，会话已关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="76"/>
        <source>The buyer accepted the after-sales offer: {0} {1}</source>
        <translation>买家接受了售后方案：{0} {1}</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="78"/>
        <source>The buyer declined the after-sales offer: {0} {1}</source>
        <translation>买家拒绝了售后方案：{0} {1}</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="80"/>
        <source>The buyer declined the video explanation.</source>
        <translation>买家拒绝了视频讲解。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="81"/>
        <source>The buyer no longer accepts this shop&apos;s video invitations.</source>
        <translation>买家不再接受本店的视频邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="82"/>
        <source>The buyer accepts this shop&apos;s video invitations again.</source>
        <translation>买家重新接受本店的视频邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="83"/>
        <source>The video invitation expired unanswered.</source>
        <translation>视频邀请无人应答，已过期。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="84"/>
        <source>The agent withdrew the video invitation.</source>
        <translation>客服撤回了视频邀请。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="85"/>
        <source>The video explanation is connected (encrypted end to end, not recorded).</source>
        <translation>视频讲解已接通（端到端加密，不录制）。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="87"/>
        <source>The video explanation ended after {0}.</source>
        <translation>视频讲解已结束，时长 {0}。</translation>
    </message>
    <message>
        <location filename="../../ui/system_text.py" line="89"/>
        <source>The buyer complained about the video explanation: {0}</source>
        <translation>买家投诉了视频讲解：{0}</translation>
    </message>
</context>
<context>
    <name>TemplateEditorDialog</name>
    <message>
        <location filename="../../ui/template_editor.py" line="175"/>
        <source>Templates</source>
        <translation>话术模板</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="176"/>
        <source>Shop templates</source>
        <translation>店铺模板</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="177"/>
        <source>My templates</source>
        <translation>我的模板</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="178"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="179"/>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="180"/>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="181"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="182"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="183"/>
        <source>Shortcut</source>
        <translation>快捷码</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="184"/>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="184"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="186"/>
        <source>Insert:</source>
        <translation>插入：</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="190"/>
        <source>letters and digits, e.g. thh</source>
        <translation>字母和数字，例如 thh</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="195"/>
        <source>The buyer&apos;s nickname</source>
        <translation>买家昵称</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="195"/>
        <source>The order number</source>
        <translation>订单号</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="196"/>
        <source>The order&apos;s first product</source>
        <translation>订单的第一件商品</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="196"/>
        <source>Your name</source>
        <translation>您的名字</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="197"/>
        <source>The tracking number</source>
        <translation>快递单号</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="201"/>
        <source>Wang Xiaoming</source>
        <translation>王小明</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="202"/>
        <source>Range hood</source>
        <translation>油烟机</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="224"/>
        <source>The shop&apos;s templates are edited by supervisors; you can read and use them here, and edit your own under &quot;My templates&quot;.</source>
        <translation>店铺模板由主管编辑；您可以在这里查看和使用，并在“我的模板”中编辑自己的模板。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="362"/>
        <source>Not a variable, sent as written: {0}</source>
        <translation>不是变量，将按原样发送：{0}</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The group</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="388"/>
        <source>The text</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="389"/>
        <source>The shortcut</source>
        <translation>快捷码</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="392"/>
        <source>{0} must not be empty.</source>
        <translation>{0}不能为空。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="394"/>
        <source>{0} may have at most {1} characters.</source>
        <translation>{0}最多 {1} 个字符。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="396"/>
        <source>The shortcut may only have lowercase letters a-z and digits.</source>
        <translation>快捷码只能包含小写字母 a-z 和数字。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="397"/>
        <source>Another template already uses this shortcut; choose another one.</source>
        <translation>已有其他模板使用此快捷码，请另选一个。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="402"/>
        <source>You cannot edit this template.</source>
        <translation>您不能编辑此模板。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="416"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="423"/>
        <source>Delete template</source>
        <translation>删除模板</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="424"/>
        <source>Delete the template &quot;{0}&quot;?</source>
        <translation>删除模板“{0}”？</translation>
    </message>
    <message>
        <location filename="../../ui/template_editor.py" line="440"/>
        <source>Deleted.</source>
        <translation>已删除。</translation>
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
        <location filename="../../ui/transfer_dialog.py" line="34"/>
        <source>Transfer {0}</source>
        <translation>转接 {0}</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="37"/>
        <source>away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="38"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="39"/>
        <source>Back to the queue (the next free agent takes it)</source>
        <translation>退回排队（由下一位空闲客服接待）</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="46"/>
        <source>{0} · {1} · {2}/{3} chats</source>
        <translation>{0} · {1} · {2}/{3} 个会话</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="52"/>
        <source>Only an online agent with room can take the chat</source>
        <translation>只能转给在线且未满的客服</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="58"/>
        <source>Note for the next agent (what the buyer needs, what you tried)</source>
        <translation>给下一位客服的备注（买家需求、已尝试的处理）</translation>
    </message>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="64"/>
        <source>Transfer to:</source>
        <translation>转接给：</translation>
    </message>
</context>
<context>
    <name>Wallboard</name>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="36"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="37"/>
        <location filename="../../ui/supervisor/wallboard.py" line="273"/>
        <source>{0} min {1:02d} s</source>
        <translation>{0} 分 {1:02d} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="46"/>
        <location filename="../../ui/supervisor/wallboard_model.py" line="51"/>
        <location filename="../../ui/supervisor/wallboard.py" line="272"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="48"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="49"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="50"/>
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="66"/>
        <source>queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="67"/>
        <source>{0} · {1} · {2}</source>
        <translation>{0} · {1} · {2}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="158"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="159"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="160"/>
        <source>Chats / cap</source>
        <translation>会话 / 上限</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="161"/>
        <source>3-min rate</source>
        <translation>3 分钟回复率</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="162"/>
        <source>First response</source>
        <translation>首次响应</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="163"/>
        <source>Avg reply</source>
        <translation>平均回复</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="164"/>
        <source>Calls connected / invited</source>
        <translation>通话 接通 / 邀请</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="165"/>
        <location filename="../../ui/supervisor/wallboard.py" line="253"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="166"/>
        <source>CSAT</source>
        <translation>满意度</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard_model.py" line="187"/>
        <source>{0} (supervisor)</source>
        <translation>{0}（主管）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="245"/>
        <source>Queue</source>
        <translation>排队</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="246"/>
        <source>Longest wait</source>
        <translation>最长等待</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="247"/>
        <source>Near 3 min</source>
        <translation>接近 3 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="248"/>
        <source>Past 3 min</source>
        <translation>超过 3 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="249"/>
        <source>3-minute reply rate</source>
        <translation>3 分钟回复率</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="250"/>
        <source>PDD-style reply rate</source>
        <translation>拼多多式回复率</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="251"/>
        <source>First response (mean)</source>
        <translation>首次响应（平均）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="252"/>
        <source>Video connect rate</source>
        <translation>视频接通率</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="254"/>
        <source>Satisfaction (CSAT)</source>
        <translation>满意度（CSAT）</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="255"/>
        <source>Abandoned chats</source>
        <translation>放弃的会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="256"/>
        <source>Transfers</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="260"/>
        <location filename="../../ui/supervisor/wallboard.py" line="351"/>
        <source>Days shown:</source>
        <translation>显示天数：</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="261"/>
        <source>Chats waiting for a reply</source>
        <translation>等待回复的会话</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/wallboard.py" line="294"/>
        <source>%n agent(s) online</source>
        <translation>
            <numerusform>%n 名客服在线</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/supervisor/wallboard.py" line="294"/>
        <source>%n chat(s) open</source>
        <translation>
            <numerusform>%n 个会话进行中</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="297"/>
        <source>waiting 100-180 s</source>
        <translation>已等待 100-180 秒</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="298"/>
        <source>waiting 180 s or more</source>
        <translation>已等待 180 秒以上</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="301"/>
        <source>{0} of {1} rounds on time · bar 80%</source>
        <translation>{1} 轮中 {0} 轮及时 · 达标线 80%</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="306"/>
        <source>{0} of {1} buyers answered on time</source>
        <translation>{1} 位买家中 {0} 位得到及时回复</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="310"/>
        <source>median {0} · p90 {1}</source>
        <translation>中位数 {0} · p90 {1}</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="314"/>
        <source>{0} connected of {1} invited, {2} accepted</source>
        <translation>邀请 {1} 次，接受 {2} 次，接通 {0} 次</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="320"/>
        <source>{0} per 100 calls</source>
        <translation>每 100 次通话 {0} 次</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="323"/>
        <source>{0} of {1} ratings are 4-5 stars</source>
        <translation>{1} 条评价中 {0} 条为 4-5 星</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="325"/>
        <source>{0} chats today</source>
        <translation>今日 {0} 个会话</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="326"/>
        <source>{0} taken over</source>
        <translation>已接管 {0} 个</translation>
    </message>
    <message>
        <location filename="../../ui/supervisor/wallboard.py" line="333"/>
        <source>Today {0}, shop time ({1}) · live</source>
        <translation>今天 {0}，店铺时间（{1}）· 实时</translation>
    </message>
</context>
</TS>
